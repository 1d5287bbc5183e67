#!/usr/bin/perl
# Writes a small GeoIP2-City-style MaxMind DB for the tests (no MaxMind
# download): perl write_test_city.pl OUT.mmdb. Needs MaxMind::DB::Writer
# (Debian: libmaxmind-db-writer-perl, installed by scripts/setup-deps.sh).
# The networks are the ones MaxMind's own test databases use.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: $0 OUT.mmdb\n";
my %types = (
  city => 'map', country => 'map', registered_country => 'map', location => 'map', names => 'map',
  en => 'utf8_string', iso_code => 'utf8_string',
  latitude => 'double', longitude => 'double', accuracy_radius => 'uint16',
);
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version => 6, record_size => 24, database_type => 'Wardline-Test-City', languages => ['en'],
  description => {en => 'Wardline test GeoIP database'},
  map_key_type_callback => sub { $types{ $_[0] } },
  remove_reserved_networks => 0,  # 2001:db8::/32 is a documentation range
);
sub city {
  my ($country, $name, $lat, $lon, $radius) = @_;
  return {country => {iso_code => $country}, city => {names => {en => $name}},
          location => {latitude => $lat, longitude => $lon, accuracy_radius => $radius}};
}
$tree->insert_network('81.2.69.0/24', city('GB', 'London', 51.5142, -0.0931, 10));
$tree->insert_network('175.16.199.0/24', city('CN', 'Beijing', 39.9042, 116.4074, 50));
$tree->insert_network('89.160.20.0/24', city('SE', 'Linkoping', 58.4167, 15.6167, 20));
# Country only, no location: as in a Country database.
$tree->insert_network('2001:db8::/32', {country => {iso_code => 'US'}});
# Only the country it is registered in (anycast, satellite).
$tree->insert_network('2a02:cf40::/29', {registered_country => {iso_code => 'NO'}});

open my $fh, '>:raw', $out or die "cannot write $out: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot write $out: $!\n";
