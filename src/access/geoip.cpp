// Where an address is, from a MaxMind DB (GeoIP2 / GeoLite2 City or
// Country) mapped read-only. libmaxminddb lookups only read the mapping, so
// any number of threads may look up at once without a lock.
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "access/access.h"
#include "core/ip.h"

namespace wardline::access {

struct GeoIp::Impl {
  std::string path;
  uint64_t id = 0;  // tells this database's records apart in the per-thread cache
  MMDB_s db{};
  bool opened = false;
  ~Impl() {
    if (opened) MMDB_close(&db);
  }
};

namespace {

// The string at `path` in the record, e.g. {"country", "iso_code"}.
std::string_view text_at(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING)
    return {};
  return {data.utf8_string, data.data_size};
}

std::optional<double> number_at(MMDB_entry_s& entry, const char* const* path) {
  MMDB_entry_data_s data;
  if (MMDB_aget_value(&entry, &data, path) != MMDB_SUCCESS || !data.has_data) return std::nullopt;
  switch (data.type) {
    case MMDB_DATA_TYPE_DOUBLE: return data.double_value;
    case MMDB_DATA_TYPE_FLOAT: return data.float_value;
    case MMDB_DATA_TYPE_UINT16: return data.uint16;
    case MMDB_DATA_TYPE_UINT32: return data.uint32;
    case MMDB_DATA_TYPE_INT32: return data.int32;
    default: return std::nullopt;
  }
}

GeoLocation decode(MMDB_entry_s& entry) {
  static constexpr const char* kCountry[] = {"country", "iso_code", nullptr};
  static constexpr const char* kRegistered[] = {"registered_country", "iso_code", nullptr};
  static constexpr const char* kLatitude[] = {"location", "latitude", nullptr};
  static constexpr const char* kLongitude[] = {"location", "longitude", nullptr};
  static constexpr const char* kAccuracy[] = {"location", "accuracy_radius", nullptr};
  GeoLocation where;
  std::string_view country = text_at(entry, kCountry);
  // Some networks (anycast, satellite) have only the country they are registered in.
  if (country.empty()) country = text_at(entry, kRegistered);
  if (country.size() == 2) where.country = country;
  auto latitude = number_at(entry, kLatitude), longitude = number_at(entry, kLongitude);
  if (latitude && longitude && std::abs(*latitude) <= 90 && std::abs(*longitude) <= 180) {
    where.located = true;
    where.latitude = *latitude;
    where.longitude = *longitude;
    where.accuracy_km = static_cast<int>(number_at(entry, kAccuracy).value_or(0));
  }
  return where;
}

// Decoding a record walks its maps key by key (past city names in many
// languages) and costs several times finding it, while the networks of one
// city share a record. So each thread keeps the records it decoded last, by
// database (an id never reused, so a reloaded database is never confused
// with the one it replaced) and record offset.
struct Decoded {
  uint64_t db = 0;
  uint32_t offset = 0;
  GeoLocation where;
};
thread_local std::array<Decoded, 256> decoded;

std::atomic<uint64_t> next_id{1};

}  // namespace

GeoIp::GeoIp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GeoIp::~GeoIp() = default;

Result<std::shared_ptr<const GeoIp>> GeoIp::open(const std::string& path) {
  const std::string fix = "; geoip.database must name a GeoIP2 or GeoLite2 City or Country .mmdb file";
  // A FIFO or device would block or map nothing: only regular files.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error("geoip_unavailable", "cannot open the GeoIP database '" + path + "': " + std::strerror(errno) + fix);
  if (!S_ISREG(st.st_mode))
    return make_error("geoip_unavailable", "the GeoIP database '" + path + "' is not a regular file" + fix);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &impl->db);
  if (rc != MMDB_SUCCESS) {
    std::string why = rc == MMDB_IO_ERROR ? std::string(MMDB_strerror(rc)) + ": " + std::strerror(errno) : MMDB_strerror(rc);
    return make_error("geoip_unavailable", "cannot read the GeoIP database '" + path + "': " + why + fix);
  }
  impl->opened = true;
  impl->id = next_id.fetch_add(1);
  return std::shared_ptr<const GeoIp>(new GeoIp(std::move(impl)));
}

const std::string& GeoIp::path() const { return impl_->path; }

std::optional<GeoLocation> GeoIp::lookup(std::string_view address) const {
  auto ip = parse_ip_network(address);
  if (!ip || ip->prefix != (ip->v6 ? 128 : 32)) return std::nullopt;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is looked up as IPv4.
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  bool mapped = ip->v6 && std::memcmp(ip->bytes.data(), kMapped, sizeof kMapped) == 0;
  sockaddr_storage storage{};
  if (ip->v6 && !mapped) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
    sa->sin6_family = AF_INET6;
    std::memcpy(&sa->sin6_addr, ip->bytes.data(), 16);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
    sa->sin_family = AF_INET;
    std::memcpy(&sa->sin_addr, ip->bytes.data() + (mapped ? 12 : 0), 4);
  }
  int error = MMDB_SUCCESS;
  MMDB_lookup_result_s found = MMDB_lookup_sockaddr(&impl_->db, reinterpret_cast<sockaddr*>(&storage), &error);
  if (error != MMDB_SUCCESS || !found.found_entry) return std::nullopt;

  // The record as this thread last decoded it, or decoded now.
  Decoded& slot = decoded[static_cast<uint32_t>(found.entry.offset * 2654435761u) >> 24];
  if (slot.db != impl_->id || slot.offset != found.entry.offset) slot = {impl_->id, found.entry.offset, decode(found.entry)};
  if (slot.where.country.empty() && !slot.where.located) return std::nullopt;
  return slot.where;
}

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthKm = 6371.0088;  // mean radius
  constexpr double kRad = 3.14159265358979323846 / 180;
  double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthKm * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace wardline::access
