// Baselines and detections: each detection on a small hand-made history,
// quiet on ordinary days, and explaining itself when it fires.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "access/access.h"
#include "audit/audit.h"
#include "audit/leaf.h"
#include "ehr/baseline.h"
#include "ehr/ehr.h"
#include "support/test_support.h"

namespace wardline::ehr {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMonday = 1767571200;  // 2026-01-05T00:00:00Z
constexpr int64_t kHour = 3600, kDay = 86400;

const PatientKey& key() {
  static const PatientKey k("test patient key");
  return k;
}

const char* kSettings = R"(
ehr:
  timezone: UTC
  shifts: [7, 19]
  sites:
    - {name: Main Campus, cidrs: [10.0.0.0/8], latitude: 41.88, longitude: -87.62}
    - {name: North Clinic, cidrs: [172.16.0.0/12], latitude: 42.05, longitude: -87.68}
    - {name: Far City, cidrs: [198.51.100.0/24], latitude: 47.61, longitude: -122.33}
  vip_patients:
    - {id: MRN-VIP-1, label: VIP 1, allowed_departments: [Executive Health]}
  cold_start: {min_active_hours: 8, min_days: 7}
)";

std::shared_ptr<const Settings> settings(const std::string& extra = "") {
  auto s = Settings::parse(std::string(kSettings) + extra, "test.yaml", key());
  EXPECT_TRUE(s) << s.error().message;
  return *s;
}

std::shared_ptr<const access::Directory> directory() {
  auto d = access::Directory::parse_csv(
      "user,role,groups,department\n"
      "ann,nurse,,4 North\nbob,nurse,,4 North\ncat,nurse,,4 North\n"
      "dan,billing,,Patient Financial Services\neve,physician,,Internal Medicine\n",
      "directory.csv");
  EXPECT_TRUE(d) << d.error().message;
  return std::make_shared<const access::Directory>(std::move(*d));
}

AccessEvent event(const std::string& user, int64_t t, const std::string& patient, const std::string& device = "ws-4n-01",
                  const std::string& ip = "10.1.2.3", const std::string& app = "hyperspace") {
  AccessEvent e;
  e.time = t;
  e.user = user;
  e.application = app;
  e.device = device;
  e.source_ip = ip;
  e.patient = patient.empty() ? "" : key().hash(patient);
  e.resource_type = "Patient";
  e.action = "read";
  return e;
}

struct Fixture {
  std::shared_ptr<const Settings> s;
  Analytics analytics;
  std::vector<Alert> alerts;
  explicit Fixture(std::shared_ptr<const Settings> settings, Sources sources = {}, size_t max_users = 100000)
      : s(settings), analytics(settings, directory(), nullptr, std::move(sources), max_users) {}
  void see(const AccessEvent& e) { analytics.observe(e, alerts); }
  std::vector<Alert> of(const std::string& kind) const {
    std::vector<Alert> out;
    for (const auto& a : alerts)
      if (a.kind == kind) out.push_back(a);
    return out;
  }
};

// `days` ordinary day shifts (07:00-19:00) of `patients_per_hour` distinct
// patients an hour, from the user's own workstation.
void day_shifts(Fixture& f, const std::string& user, int days, int patients_per_hour, const std::string& device = "ws-4n-01",
                const std::string& ip = "10.1.2.3") {
  for (int d = 0; d < days; ++d)
    for (int h = 7; h < 19; ++h)
      for (int p = 0; p < patients_per_hour; ++p)
        f.see(event(user, kMonday + d * kDay + h * kHour + p * 300, "MRN-" + user + "-" + std::to_string(d * 100 + (h + p) % 9),
                    device, ip));
}

TEST(EhrSketch, DistinctCountIsExactWhenSmallAndCloseWhenLarge) {
  DistinctSketch s;
  for (int i = 0; i < 20; ++i) s.add(hash_of("p" + std::to_string(i % 10)));
  EXPECT_NEAR(s.estimate(), 10, 0.1);
  s.clear();
  for (int i = 0; i < 500; ++i) s.add(hash_of("p" + std::to_string(i)));
  EXPECT_NEAR(s.estimate(), 500, 25);
}

TEST(EhrSketch, RingGivesMedianAndMadOfTheLastValuesOnly) {
  Ring<16> r;
  for (int i = 0; i < 4; ++i) r.push(1000);  // these fall out
  for (int i = 0; i < 16; ++i) r.push(i < 15 ? 10 + i % 3 : 500);
  EXPECT_EQ(r.size(), 16u);
  EXPECT_DOUBLE_EQ(r.quantile(0.5), 11);
  EXPECT_DOUBLE_EQ(r.mad(), 1) << "one outlier moves neither median nor MAD";
}

TEST(EhrSketch, KnownSetForgetsTheLeastRecentlySeen) {
  KnownSet<4> k;
  for (int i = 0; i < 4; ++i) k.touch(hash_of("d" + std::to_string(i)), kMonday + i * kDay);
  k.touch(hash_of("d0"), kMonday + 5 * kDay);  // seen again: now the most recent
  k.touch(hash_of("new"), kMonday + 6 * kDay);
  EXPECT_EQ(k.size(), 4u);
  EXPECT_TRUE(k.contains(hash_of("d0")));
  EXPECT_FALSE(k.contains(hash_of("d1"))) << "the least recently seen went";
  EXPECT_TRUE(k.contains(hash_of("new")));
}

TEST(EhrSketch, StateRoundTripsAndRefusesAnotherLayout) {
  UserState u;
  u.first_seen = 42;
  u.hourly.push(7);
  u.devices.touch(hash_of("ws-1"), kMonday);
  UserState back;
  ASSERT_TRUE(decode_state(encode_state(u), back));
  EXPECT_EQ(back.first_seen, 42);
  EXPECT_TRUE(back.devices.contains(hash_of("ws-1")));
  EXPECT_FALSE(decode_state("u12:AAAA", back));
  PeerState p;
  EXPECT_FALSE(decode_state(encode_state(p), back));
  EXPECT_LE(sizeof(UserState) + 128, Analytics::kUserStateBytes) << "the documented bound per user";
}

TEST(EhrSettings, DefaultsAndErrorsThatSayWhere) {
  auto s = settings();
  EXPECT_EQ(s->sites.size(), 3u);
  ASSERT_EQ(s->vip_patients.size(), 1u);
  EXPECT_EQ(s->vip_patients[0].patient, key().hash("MRN-VIP-1")) << "VIP ids are hashed as they are read";
  EXPECT_EQ(s->volume_spike.min_patients, 25);

  auto bad_key = Settings::parse("ehr:\n  detections:\n    volume_spike: {min_patient: 3}\n", "e.yaml", key());
  ASSERT_FALSE(bad_key);
  EXPECT_THAT(bad_key.error().message, HasSubstr("e.yaml:3"));
  EXPECT_THAT(bad_key.error().message, HasSubstr("min_patients"));
  auto bad_cidr = Settings::parse("ehr:\n  sites:\n    - {name: X, cidrs: [10.0.0.0/33], latitude: 1, longitude: 2}\n", "e.yaml", key());
  ASSERT_FALSE(bad_cidr);
  EXPECT_THAT(bad_cidr.error().message, HasSubstr("10.0.0.0/33"));
  auto bad_zone = Settings::parse("ehr:\n  timezone: Mars/Olympus\n", "e.yaml", key());
  ASSERT_FALSE(bad_zone);
  EXPECT_THAT(bad_zone.error().message, HasSubstr("IANA"));
  auto bad_number = Settings::parse("ehr:\n  risk: {signal_at: lots}\n", "e.yaml", key());
  ASSERT_FALSE(bad_number);
  EXPECT_THAT(bad_number.error().message, HasSubstr("risk.signal_at must be a number"));
  EXPECT_TRUE(Settings::parse("", "empty.yaml", key())) << "no file content: the defaults";
}

TEST(EhrDetections, OrdinaryShiftsRaiseNothing) {
  Fixture f(settings());
  for (const char* u : {"ann", "bob", "cat"}) day_shifts(f, u, 14, 5);
  EXPECT_TRUE(f.alerts.empty()) << f.alerts.front().kind << ": " << f.alerts.front().explanation;
}

TEST(EhrDetections, VolumeSpikeExplainsWhatIsUsual) {
  Fixture f(settings());
  for (const char* u : {"ann", "bob", "cat"}) day_shifts(f, u, 10, 5);
  const int64_t t = kMonday + 10 * kDay + 10 * kHour;
  for (int p = 0; p < 120; ++p) f.see(event("ann", t + p * 20, "MRN-harvest-" + std::to_string(p)));
  auto spikes = f.of("volume_spike");
  ASSERT_EQ(spikes.size(), 1u) << "one alert per hour, not one per chart";
  EXPECT_EQ(spikes[0].user, "ann");
  EXPECT_THAT(spikes[0].explanation, HasSubstr("patient charts in 1 hour"));
  EXPECT_THAT(spikes[0].explanation, HasSubstr("nurses on 4 North usually open 5"));
  EXPECT_EQ(spikes[0].details.at("department"), "4 North") << "from the directory";
}

TEST(EhrDetections, SlowHarvestingShowsInTheShiftCount) {
  Fixture f(settings());
  for (const char* u : {"ann", "bob", "cat"}) day_shifts(f, u, 10, 5);
  // 20 new patients an hour: under the hourly bar (25), far above a shift's usual 9.
  const int64_t day = kMonday + 10 * kDay;
  for (int h = 7; h < 12; ++h)
    for (int p = 0; p < 20; ++p) f.see(event("ann", day + h * kHour + p * 150, "MRN-slow-" + std::to_string(h * 100 + p)));
  auto spikes = f.of("volume_spike");
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].details.at("window"), "shift");
  EXPECT_THAT(spikes[0].explanation, HasSubstr("patient charts this shift; nurses on 4 North usually open 9 per shift"));
}

TEST(EhrSketch, HourProfileForgetsAnOldRota) {
  HourProfile p;
  for (int i = 0; i < 200; ++i) p.add_hour(3);  // months of nights
  EXPECT_GT(p.share_near(3), 0.99);
  for (int i = 0; i < 200; ++i) p.add_hour(12);  // then months of days
  EXPECT_LT(p.share_near(3), 0.03) << "nights fade out";
  EXPECT_GT(p.share_near(13), 0.97) << "within two hours of 12";
}

TEST(EhrDetections, ColdStartUsesThePeerGroup) {
  Fixture f(settings());
  for (const char* u : {"ann", "bob"}) day_shifts(f, u, 10, 5);
  // cat's first hour ever: 30 charts, far above what nurses on 4 North open.
  const int64_t t = kMonday + 10 * kDay + 9 * kHour;
  for (int p = 0; p < 30; ++p) f.see(event("cat", t + p * 60, "MRN-x-" + std::to_string(p)));
  auto spikes = f.of("volume_spike");
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_THAT(spikes[0].explanation, HasSubstr("cat has no baseline of their own yet"));
}

TEST(EhrDetections, OffHoursForADayWorker) {
  Fixture f(settings());
  day_shifts(f, "dan", 14, 4);
  const int64_t night = kMonday + 14 * kDay + 3 * kHour;
  for (int p = 0; p < 2; ++p) f.see(event("dan", night + p * 60, "MRN-n-" + std::to_string(p)));
  EXPECT_TRUE(f.of("off_hours").empty()) << "fewer than min_patients charts";
  for (int p = 2; p < 6; ++p) f.see(event("dan", night + p * 60, "MRN-n-" + std::to_string(p)));
  auto off = f.of("off_hours");
  ASSERT_EQ(off.size(), 1u) << (f.alerts.empty() ? "" : f.alerts[0].kind + ": " + f.alerts[0].explanation);
  EXPECT_THAT(off[0].explanation, HasSubstr("between 03:00 and 03:04 UTC"));
  EXPECT_THAT(off[0].explanation, HasSubstr("dan is almost never active then"));
}

TEST(EhrDetections, NewDeviceOnlyWhenNoOneInTheHospitalUsedIt) {
  Fixture f(settings());
  day_shifts(f, "ann", 8, 3, "ws-4n-01");
  day_shifts(f, "bob", 8, 3, "ws-4n-02");
  const int64_t t = kMonday + 8 * kDay + 9 * kHour;
  f.see(event("ann", t, "MRN-a", "ws-4n-02"));
  EXPECT_TRUE(f.of("new_device").empty()) << "a colleague's workstation on the unit";
  f.see(event("ann", t + 60, "MRN-a", "LAPTOP-8F2K"));
  auto a = f.of("new_device");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_THAT(a[0].explanation, HasSubstr("'LAPTOP-8F2K'"));
  f.see(event("ann", t + 120, "MRN-a", "LAPTOP-8F2K"));
  EXPECT_EQ(f.of("new_device").size(), 1u) << "once per device";
}

TEST(EhrDetections, APhoneEnrolledToTheUserIsNotNew) {
  Sources sources;
  sources.device_user = [](const std::string& device) -> std::optional<std::string> {
    if (device == "iphone-ann-2") return "Ann@lakesidemed.org";
    return std::nullopt;
  };
  Fixture f(settings(), sources);
  day_shifts(f, "ann", 8, 3);
  const int64_t t = kMonday + 8 * kDay + 9 * kHour;
  f.see(event("ann", t, "MRN-a", "iphone-ann-2", "10.9.0.6", "rover"));
  EXPECT_TRUE(f.of("new_device").empty()) << "the MDM enrolled it to her";
  f.see(event("ann", t + 60, "MRN-a", "android-unknown", "10.9.0.6", "rover"));
  EXPECT_EQ(f.of("new_device").size(), 1u);
}

TEST(EhrDetections, NothingIsNewInTheFirstDays) {
  Fixture f(settings());
  day_shifts(f, "ann", 2, 3);
  f.see(event("ann", kMonday + 2 * kDay + 9 * kHour, "MRN-a", "LAPTOP-1", "198.51.100.7"));
  EXPECT_TRUE(f.of("new_device").empty());
  EXPECT_TRUE(f.of("new_location").empty());
}

TEST(EhrDetections, NewLocationUnlessPeersWorkThere) {
  Fixture f(settings());
  day_shifts(f, "ann", 8, 3);
  day_shifts(f, "bob", 8, 3, "ws-nc-01", "172.16.4.4");  // bob works at the clinic
  const int64_t t = kMonday + 9 * kDay + 9 * kHour;
  f.see(event("ann", t, "MRN-a", "ws-nc-01", "172.16.4.4"));
  EXPECT_TRUE(f.of("new_location").empty()) << "the clinic is known to ann's peers";
  f.see(event("ann", t + 12 * kHour, "MRN-a", "ws-4n-01", "198.51.100.7"));
  auto a = f.of("new_location");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_THAT(a[0].explanation, HasSubstr("accessed from Far City for the first time"));
}

TEST(EhrDetections, ImpossibleTravelBetweenSites) {
  Fixture f(settings());
  day_shifts(f, "ann", 3, 2);
  const int64_t t = kMonday + 3 * kDay + 9 * kHour;
  f.see(event("ann", t, "MRN-a"));
  f.see(event("ann", t + 20 * 60, "MRN-a", "ws-nc-01", "172.16.4.4"));
  EXPECT_TRUE(f.of("impossible_travel").empty()) << "20 km in 20 minutes is a drive";
  f.see(event("ann", t + 30 * 60, "MRN-a", "ws-x", "198.51.100.7"));
  auto a = f.of("impossible_travel");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_THAT(a[0].explanation, HasSubstr("accessed from Far City 10 min after North Clinic"));
  EXPECT_GT(std::stoi(a[0].details.at("kmh")), 900);
}

TEST(EhrDetections, VipChartOutsideTheAllowedDepartments) {
  Fixture f(settings());
  const int64_t t = kMonday + 9 * kHour;
  f.see(event("ann", t, "MRN-VIP-1"));
  f.see(event("ann", t + 60, "MRN-VIP-1"));
  auto a = f.of("vip_snooping");
  ASSERT_EQ(a.size(), 1u) << "once a day per patient";
  EXPECT_THAT(a[0].explanation, HasSubstr("VIP patient 'VIP 1'"));
  EXPECT_THAT(a[0].explanation, HasSubstr("only Executive Health staff"));
  EXPECT_EQ(a[0].explanation.find("MRN"), std::string::npos) << "no patient id in an alert";
}

TEST(EhrDetections, LateralMovementAfterAMobileSignIn) {
  Fixture f(settings());
  const int64_t t = kMonday + 9 * kHour;
  // An ordinary nurse: Rover on the phone, then the unit workstation.
  f.see(event("bob", t, "MRN-b", "iphone-bob", "10.9.0.5", "rover"));
  f.see(event("bob", t + 60, "MRN-b", "ws-4n-02", "10.1.2.4", "hyperspace"));
  f.see(event("bob", t + 120, "MRN-b", "ws-4n-03", "10.1.2.5", "hyperspace"));
  EXPECT_TRUE(f.of("lateral_movement").empty());
  // A stolen credential fanning out from the phone sign-in.
  f.see(event("ann", t, "", "iphone-ann", "10.9.0.6", "haiku"));
  const char* hops[][3] = {{"pacs-viewer", "ws-rad-01", "10.3.0.1"}, {"resolute", "ws-pfs-02", "10.4.0.2"},
                           {"citrix", "ctx-07", "10.5.0.7"}, {"hyperspace", "ws-icu-09", "10.6.0.9"}};
  for (int i = 0; i < 4; ++i) f.see(event("ann", t + 60 * (i + 1), "", hops[i][1], hops[i][2], hops[i][0]));
  auto a = f.of("lateral_movement");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].user, "ann");
  EXPECT_THAT(a[0].explanation, HasSubstr("minutes of mobile app use"));
}

TEST(EhrDetections, ACompromisedCredentialRaisesTheSeverity) {
  Sources sources;
  sources.compromised = [](const std::string& user, const std::string&, int64_t) -> std::optional<std::string> {
    if (user == "ann") return "targeted by smishing campaign cmp_1 5 h earlier";
    return std::nullopt;
  };
  Fixture f(settings(), sources);
  const int64_t t = kMonday + 9 * kHour;
  f.see(event("ann", t, "MRN-VIP-1"));
  f.see(event("bob", t, "MRN-VIP-1"));
  ASSERT_EQ(f.alerts.size(), 2u);
  const Alert& ann = f.alerts[0].user == "ann" ? f.alerts[0] : f.alerts[1];
  const Alert& bob = f.alerts[0].user == "bob" ? f.alerts[0] : f.alerts[1];
  EXPECT_EQ(ann.severity, "critical");
  EXPECT_EQ(bob.severity, "high");
  EXPECT_DOUBLE_EQ(ann.weight, 2 * bob.weight);
  EXPECT_THAT(ann.explanation, HasSubstr("likely a compromised credential"));
  EXPECT_EQ(ann.details.at("likely_compromised"), "targeted by smishing campaign cmp_1 5 h earlier");
}

TEST(EhrDetections, MemoryIsBoundedByMaxUsers) {
  Fixture f(settings(), {}, 100);
  for (int u = 0; u < 1000; ++u) f.see(event("user" + std::to_string(u), kMonday + u, "MRN-1"));
  EXPECT_LE(f.analytics.users(), 100u);
  EXPECT_GT(f.analytics.users(), 50u);
}

// ------------------------------------------------------------------ with a store

class EhrStore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { store = testing::open_test_store(GetParam(), dir.path()); }
  testing::TempDir dir;
  std::unique_ptr<store::Store> store;
};

TEST_P(EhrStore, BaselinesSurviveARestart) {
  {
    Fixture f(settings());
    for (const char* u : {"ann", "bob", "cat"}) day_shifts(f, u, 10, 5);
    ASSERT_TRUE(f.analytics.save(*store));
  }
  Fixture g(settings());
  ASSERT_TRUE(g.analytics.load(*store));
  EXPECT_EQ(g.analytics.users(), 3u);
  const int64_t t = kMonday + 10 * kDay + 10 * kHour;
  for (int p = 0; p < 40; ++p) g.see(event("ann", t + p * 20, "MRN-h-" + std::to_string(p)));
  auto spikes = g.of("volume_spike");
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_THAT(spikes[0].explanation, HasSubstr("ann usually 5")) << "her own baseline came back from the store";
  ASSERT_TRUE(g.analytics.save(*store)) << "saving again updates the rows";
}

Alert alert(const std::string& id, const std::string& user, const std::string& kind, int64_t at, double weight) {
  Alert a;
  a.id = id;
  a.user = user;
  a.kind = kind;
  a.severity = "high";
  a.weight = weight;
  a.at = at;
  a.explanation = "opened 212 patient charts in 1 hour";
  a.details = {{"department", "4 North"}};
  return a;
}

TEST_P(EhrStore, AlertsPageFilterAndAddUpToRisk) {
  AlertBook book(*store);
  ASSERT_TRUE(book.add(alert("ehr_a", "ann", "volume_spike", kMonday, 40)));
  ASSERT_TRUE(book.add(alert("ehr_b", "ann", "off_hours", kMonday + kHour, 20)));
  ASSERT_TRUE(book.add(alert("ehr_c", "bob", "volume_spike", kMonday + 2 * kHour, 30)));

  auto first = book.list({.limit = 2});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->alerts.size(), 2u);
  EXPECT_EQ(first->alerts[0].id, "ehr_c") << "newest first";
  auto second = book.list({.limit = 2, .cursor = first->next_cursor});
  ASSERT_TRUE(second);
  ASSERT_EQ(second->alerts.size(), 1u);
  EXPECT_EQ(second->alerts[0].id, "ehr_a");
  EXPECT_TRUE(second->next_cursor.empty());

  auto anns = book.list({.user = "ann", .kind = "volume_spike"});
  ASSERT_TRUE(anns);
  ASSERT_EQ(anns->alerts.size(), 1u);
  EXPECT_EQ(anns->alerts[0].details.at("department"), "4 North");
  EXPECT_FALSE(book.list({.cursor = "garbage"}));
  EXPECT_FALSE(book.list({.since = "yesterday"}));

  auto got = book.get("ehr_b");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->explanation, "opened 212 patient charts in 1 hour");

  // 40 a day ago and 20 23 hours ago, with a 24-hour half-life.
  auto risk = book.risk("ann", kMonday + kDay, 24);
  ASSERT_TRUE(risk);
  EXPECT_NEAR(*risk, 20 + 20 * std::exp2(-23.0 / 24), 0.01);
  auto none = book.risk("ann", kMonday - 1, 24);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0) << "alerts after the moment asked about do not count";

  RiskSignal signal(*store, 24, 30);
  EXPECT_TRUE(signal.elevated("ann", kMonday + kDay));
  EXPECT_FALSE(signal.elevated("bob", kMonday + 10 * kDay));
}

// An audit log that refuses every record.
struct RefusingRecorder : audit::Recorder {
  Result<uint64_t> record(siem::SecurityEvent) override { return make_error("audit_unavailable", "the disk is full"); }
};
struct CountingRecorder : audit::Recorder {
  std::vector<siem::SecurityEvent> events;
  Result<uint64_t> record(siem::SecurityEvent e) override {
    events.push_back(std::move(e));
    return uint64_t{events.size()};
  }
};

TEST_P(EhrStore, IngestKeepsAlertsOnlyWithTheirAuditRecord) {
  const std::string lines =
      "{\"time\": 1767603600, \"user\": \"ann\", \"department\": \"4 North\", \"patient\": \"MRN-VIP-1\", \"application\": \"hyperspace\"}\n"
      "not json\n";
  Analytics analytics(settings(), directory(), nullptr, {});
  AlertBook book(*store);
  CountingRecorder ok;
  auto out = ingest(lines, Format::jsonl, key(), analytics, book, ok, "test");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->stats.records, 2u);
  EXPECT_EQ(out->stats.events, 1u);
  ASSERT_EQ(out->problems.size(), 1u);
  EXPECT_EQ(out->problems[0].line, 2u);
  ASSERT_EQ(out->alerts.size(), 1u);
  ASSERT_EQ(ok.events.size(), 1u);
  EXPECT_EQ(ok.events[0].type, "ehr.alert");
  EXPECT_EQ(ok.events[0].details.at("kind"), "vip_snooping");
  EXPECT_EQ(ok.events[0].subject, "ann");
  EXPECT_TRUE(audit::validate_event(ok.events[0])) << "a valid ehr.alert audit event";

  Analytics fresh(settings(), directory(), nullptr, {});
  RefusingRecorder refusing;
  auto refused = ingest(lines, Format::jsonl, key(), fresh, book, refusing, "test");
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("audit record failed"));
  auto all = book.list({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->alerts.size(), 1u) << "the unaudited alert was taken back";
}

INSTANTIATE_TEST_SUITE_P(Stores, EhrStore, ::testing::ValuesIn(testing::kStoreKinds));

}  // namespace
}  // namespace wardline::ehr
