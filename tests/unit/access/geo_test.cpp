// Context signals: GeoIP countries (a small City database written at test
// time by tests/data/geoip/write_test_city.pl with MaxMind::DB::Writer),
// country conditions, impossible travel and bursts of failed sign-ins.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "access/access.h"
#include "support/test_support.h"

namespace wardline::access {
namespace {

constexpr int64_t kT0 = 1767636000;  // 2026-01-05T18:00:00Z, a Monday

struct TestDb {
  std::string path, error;
};

// The test database, written once per run.
const TestDb& test_db() {
  static testing::TempDir dir;
  static const TestDb db = [] {
    const char* src = std::getenv("WARDLINE_SOURCE_DIR");
    if (!src) return TestDb{"", "WARDLINE_SOURCE_DIR is not set (ctest sets it to the source tree)"};
    std::string out = dir.path() + "/city.mmdb";
    std::string command = "perl '" + std::string(src) + "/tests/data/geoip/write_test_city.pl' '" + out + "'";
    int status = std::system(command.c_str());
    if (status != 0)
      return TestDb{"", command + " failed (status " + std::to_string(status) +
                            "): it needs MaxMind::DB::Writer, Debian's libmaxmind-db-writer-perl; run scripts/setup-deps.sh"};
    return TestDb{out, ""};
  }();
  return db;
}

class Geo : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(test_db().error.empty()) << test_db().error; }

  static std::shared_ptr<const GeoIp> open_db() {
    auto db = GeoIp::open(test_db().path);
    EXPECT_TRUE(db) << db.error().message;
    return db ? *db : nullptr;
  }

  // Defaults for impossible_travel and failed_logins unless `extra` sets them.
  static std::shared_ptr<const Policy> policy(const std::string& extra = "") {
    auto p = Policy::parse("geoip: {database: '" + test_db().path + "'}\n" + extra + R"(
risk: {impossible_travel: high, failed_logins: medium, unknown_device: low}
roles: {nurse: [ehr.clinical]}
rules:
  - {name: outside GB and SE a hardware key, when: {not_country: [GB, se]}, then: {step_up: phishing_resistant}}
  - {name: nothing from CN, when: {country: CN}, then: deny}
)",
                           "access.yaml");
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : nullptr;
  }

  static std::shared_ptr<const Directory> staff() {
    return std::make_shared<const Directory>(*Directory::parse_csv("user,role\nkim,nurse\nlee,nurse\npat,nurse\nsam,nurse\n", "staff.csv"));
  }

  static Request from(const std::string& user, const std::string& address, int64_t at) {
    auto r = parse_request(R"({"user":")" + user + R"(","category":"ehr.clinical","action":"read","amr":["pwd","otp"],"source_ip":")" +
                           address + R"(","time":)" + std::to_string(at) + "}");
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Request{};
  }

  static bool has(const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  }
};

TEST_F(Geo, LooksUpIpv4Ipv6AndMappedAddresses) {
  auto db = open_db();
  ASSERT_NE(db, nullptr);
  auto london = db->lookup("81.2.69.142");
  ASSERT_TRUE(london);
  EXPECT_EQ(london->country, "GB");
  EXPECT_TRUE(london->located);
  EXPECT_NEAR(london->latitude, 51.5142, 1e-9);
  EXPECT_NEAR(london->longitude, -0.0931, 1e-9);
  EXPECT_EQ(london->accuracy_km, 10);
  EXPECT_EQ(db->lookup("175.16.199.7")->country, "CN");
  EXPECT_EQ(db->lookup("89.160.20.112")->country, "SE");
  auto mapped = db->lookup("::ffff:81.2.69.1");
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->country, "GB");
  // A country without a location, as a Country database has.
  auto v6 = db->lookup("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->country, "US");
  EXPECT_FALSE(v6->located);
  EXPECT_EQ(db->lookup("2a02:cf40::7")->country, "NO");  // registered country only
  EXPECT_EQ(db->path(), test_db().path);
}

TEST_F(Geo, UnknownAndBadAddressesFindNothing) {
  auto db = open_db();
  ASSERT_NE(db, nullptr);
  for (const char* address : {"8.8.8.8", "10.1.2.3", "2001:db9::1", "not an address", "81.2.69.0/24", "", "81.2.69.1.5"})
    EXPECT_FALSE(db->lookup(address)) << address;
}

TEST_F(Geo, LookupsRunOnManyThreadsAtOnce) {
  auto db = open_db();
  ASSERT_NE(db, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        auto gb = db->lookup("81.2.69." + std::to_string(i % 256));
        auto us = db->lookup("2001:db8::" + std::to_string(i % 9999 + 1));
        if (!gb || gb->country != "GB" || !us || us->country != "US") ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(Geo, OpenErrorsNameTheFile) {
  testing::TempDir dir;
  auto missing = GeoIp::open(dir.path() + "/GeoLite2-City.mmdb");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(dir.path() + "/GeoLite2-City.mmdb"), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos) << missing.error().message;
  std::ofstream(dir.path() + "/corrupt.mmdb") << "this is not a MaxMind database";
  auto corrupt = GeoIp::open(dir.path() + "/corrupt.mmdb");
  ASSERT_FALSE(corrupt);
  EXPECT_NE(corrupt.error().message.find(dir.path() + "/corrupt.mmdb"), std::string::npos) << corrupt.error().message;
  auto directory = GeoIp::open(dir.path());
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().message.find("not a regular file"), std::string::npos) << directory.error().message;

  // In a policy: file, line and column, and the database named.
  auto p = Policy::parse("roles: {nurse: [ehr]}\ngeoip:\n  database: " + dir.path() + "/GeoLite2-City.mmdb\n", "a.yaml");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "invalid_policy");
  EXPECT_NE(p.error().message.find("a.yaml:3:13: cannot open the GeoIP database '" + dir.path() + "/GeoLite2-City.mmdb'"),
            std::string::npos)
      << p.error().message;
}

TEST_F(Geo, PolicyErrorsForTheNewKeys) {
  auto error_of = [](const std::string& yaml) {
    auto p = Policy::parse("roles: {nurse: [ehr]}\n" + yaml, "a.yaml");
    return p ? std::string("(loaded)") : p.error().message;
  };
  EXPECT_NE(error_of("geoip: {}\n").find("geoip must be a map with database:"), std::string::npos);
  EXPECT_NE(error_of("geoip: {database: x.mmdb, edition: city}\n").find("unknown key 'edition' in geoip"), std::string::npos);
  EXPECT_NE(error_of("failed_logins: {count: 0}\n").find("failed_logins.count must be a whole number from 1 to 64"),
            std::string::npos);
  EXPECT_NE(error_of("failed_logins: {window: forever}\n").find("failed_logins.window"), std::string::npos);
  EXPECT_NE(error_of("impossible_travel: {max_kmh: fast}\n").find("impossible_travel.max_kmh"), std::string::npos);
  EXPECT_NE(error_of("rules:\n  - {when: {country: [GBR]}, then: deny}\n").find("'GBR' is not an ISO 3166-1 alpha-2"),
            std::string::npos);
  EXPECT_NE(error_of("rules:\n  - {when: {not_country: [U1]}, then: deny}\n").find("not_country: 'U1'"), std::string::npos);
  auto p = Policy::parse("roles: {nurse: [ehr]}\nimpossible_travel: {max_kmh: 1000}\nfailed_logins: {count: 3, window: 1h}\n", "a.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ((*p)->geoip(), nullptr);
  EXPECT_EQ((*p)->travel_max_kmh(), 1000);
  EXPECT_EQ((*p)->failed_logins_count(), 3);
  EXPECT_EQ((*p)->failed_logins_window(), 3600);
  p = Policy::parse("roles: {nurse: [ehr]}\n", "a.yaml");
  EXPECT_EQ((*p)->travel_max_kmh(), 900);
  EXPECT_EQ((*p)->failed_logins_count(), 5);
  EXPECT_EQ((*p)->failed_logins_window(), 900);
}

TEST(CountryConditions, DecideTranslateToCedarAndTravelAsJson) {
  auto p = Policy::parse(R"(
roles: {nurse: [ehr.clinical]}
rules:
  - {name: outside GB and SE a hardware key, when: {not_country: [GB, se]}, then: {step_up: phishing_resistant}}
  - {name: nothing from CN, when: {country: CN}, then: deny}
)",
                         "access.yaml");
  ASSERT_TRUE(p) << p.error().message;
  Facts f;
  f.user = "kim";
  f.role = "nurse";
  f.category = "ehr.clinical";
  f.action = "read";
  f.assurance = Assurance::multi_factor;
  f.country = "SE";
  std::vector<std::string> trace;
  EXPECT_EQ((*p)->decide(f, &trace).decision, Decision::allow);
  EXPECT_EQ(trace, (std::vector<std::string>{"skipped  outside GB and SE a hardware key", "skipped  nothing from CN"}));
  f.country = "US";
  auto o = (*p)->decide(f);
  EXPECT_EQ(o.decision, Decision::step_up);
  EXPECT_EQ(o.required, Assurance::phishing_resistant);
  f.country = "CN";
  trace.clear();
  EXPECT_EQ((*p)->decide(f, &trace).decision, Decision::deny);
  EXPECT_EQ(trace, (std::vector<std::string>{"matched  outside GB and SE a hardware key", "matched  nothing from CN"}));
  // Unknown: in no list, so not_country matches (as not_zone does for an address in no zone).
  f.country = "";
  EXPECT_EQ((*p)->decide(f).decision, Decision::step_up);

  std::string cedar = (*p)->to_cedar();
  EXPECT_NE(cedar.find(R"(!["GB", "SE"].contains(context.country))"), std::string::npos) << cedar;
  EXPECT_NE(cedar.find(R"(["CN"].contains(context.country))"), std::string::npos) << cedar;
  f.country = "GB";
  EXPECT_NE((*p)->cedar_context(f).find(R"("country":"GB")"), std::string::npos);

  auto back = facts_from_json(to_json(f));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->country, "GB");
  EXPECT_EQ(facts_from_json(R"({"user":"kim"})")->country, "");
}

TEST_F(Geo, DecisionPointResolvesTheCountry) {
  DecisionPoint pdp(policy(), staff(), {});
  Facts facts;
  auto o = pdp.decide(from("kim", "81.2.69.20", kT0), kT0, &facts);
  ASSERT_TRUE(o);
  EXPECT_EQ(facts.country, "GB");
  EXPECT_EQ(o->decision, Decision::allow);
  o = pdp.decide(from("lee", "175.16.199.20", kT0), kT0, &facts);
  EXPECT_EQ(facts.country, "CN");
  EXPECT_EQ(o->decision, Decision::deny);
  o = pdp.decide(from("pat", "10.1.1.1", kT0), kT0, &facts);  // a private address: unknown
  EXPECT_EQ(facts.country, "");
  EXPECT_EQ(o->decision, Decision::step_up);
  o = pdp.decide(from("sam", "2001:db8::7", kT0), kT0, &facts);
  EXPECT_EQ(facts.country, "US");
  EXPECT_NE(to_json(facts).find(R"("country":"US")"), std::string::npos);
}

TEST_F(Geo, ImpossibleTravelLondonThenBeijing) {
  DecisionPoint pdp(policy(), staff(), {});
  Facts facts;
  ASSERT_TRUE(pdp.decide(from("kim", "81.2.69.20", kT0), kT0, &facts));
  EXPECT_FALSE(has(facts.signals, "impossible_travel"));
  // An hour later from Beijing: about 8,100 km at 8,100 km/h.
  auto o = pdp.decide(from("kim", "175.16.199.20", kT0 + 3600), kT0 + 3600, &facts);
  ASSERT_TRUE(o);
  EXPECT_TRUE(has(facts.signals, "impossible_travel"));
  EXPECT_EQ(o->risk, Risk::high);
  ASSERT_FALSE(o->reasons.empty());
  const std::string& why = o->reasons.back();
  EXPECT_EQ(why.rfind("signed in from CN 1 h after GB: 8,0", 0), 0u) << why;
  EXPECT_NE(why.find(" km at 8,0"), std::string::npos) << why;
  EXPECT_EQ(why.substr(why.size() - 5), " km/h") << why;
  // London stays the sign-in to compare with: the user back home is not flagged.
  ASSERT_TRUE(pdp.decide(from("kim", "81.2.69.99", kT0 + 7200), kT0 + 7200, &facts));
  EXPECT_FALSE(has(facts.signals, "impossible_travel"));

  // Twenty hours is time enough for the flight.
  ASSERT_TRUE(pdp.decide(from("lee", "81.2.69.20", kT0), kT0, &facts));
  ASSERT_TRUE(pdp.decide(from("lee", "175.16.199.20", kT0 + 20 * 3600), kT0 + 20 * 3600, &facts));
  EXPECT_FALSE(has(facts.signals, "impossible_travel"));
  // The same city a minute later, and a country-level location, are never impossible.
  ASSERT_TRUE(pdp.decide(from("pat", "81.2.69.20", kT0), kT0, &facts));
  ASSERT_TRUE(pdp.decide(from("pat", "81.2.69.200", kT0 + 60), kT0 + 60, &facts));
  EXPECT_FALSE(has(facts.signals, "impossible_travel"));
  ASSERT_TRUE(pdp.decide(from("pat", "2001:db8::1", kT0 + 120), kT0 + 120, &facts));
  EXPECT_FALSE(has(facts.signals, "impossible_travel"));
}

TEST_F(Geo, ImpossibleTravelIgnoresRefusedTokensAndFollowsMaxKmh) {
  DecisionPoint pdp(policy("impossible_travel: {max_kmh: 2000}\n"), staff(), {});
  Facts facts;
  // A refused token from Beijing proves nothing about where kim is.
  Request forged = from("kim", "175.16.199.20", kT0);
  forged.token = "eyJhbGciOiJub25lIn0.e30.";
  ASSERT_TRUE(pdp.decide(forged, kT0, &facts));
  ASSERT_TRUE(pdp.decide(from("kim", "81.2.69.20", kT0 + 600), kT0 + 600, &facts));
  EXPECT_FALSE(has(facts.signals, "impossible_travel"));
  // London to Linkoping (about 1,230 km between the circles) in 45 minutes:
  // 1,640 km/h is allowed at max_kmh 2000.
  ASSERT_TRUE(pdp.decide(from("kim", "89.160.20.1", kT0 + 600 + 2700), kT0 + 600 + 2700, &facts));
  EXPECT_FALSE(has(facts.signals, "impossible_travel"));
}

TEST(TravelTracker, ReasonsAndBoundedMemory) {
  GeoLocation london{"GB", true, 51.5142, -0.0931, 10}, linkoping{"SE", true, 58.4167, 15.6167, 20};
  TravelTracker tracker;
  EXPECT_FALSE(tracker.observe("kim", london, kT0, 900));
  auto why = tracker.observe("kim", linkoping, kT0 + 2700, 900);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "signed in from SE 45 min after GB: 1,228 km at 1,637 km/h");
  why = tracker.observe("kim", linkoping, kT0, 900);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "signed in from SE at the same time as from GB: 1,228 km apart");
  EXPECT_FALSE(tracker.observe("kim", GeoLocation{"US", false, 0, 0, 0}, kT0 + 10, 900));  // no location: nothing to judge

  // At most about 16 users: the first one is forgotten after a thousand others.
  TravelTracker small(16);
  EXPECT_FALSE(small.observe("first", london, kT0, 900));
  for (int i = 0; i < 1000; ++i) small.observe("user" + std::to_string(i), london, kT0, 900);
  EXPECT_FALSE(small.observe("first", linkoping, kT0 + 60, 900));
  EXPECT_TRUE(small.observe("user999", linkoping, kT0 + 60, 900));
}

TEST(FailedLoginsTracker, SlidingWindowOutOfOrderAndBounded) {
  FailedLogins failures;
  EXPECT_EQ(failures.count("kim", kT0, 900), 0);
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(failures.record("kim", kT0 + i * 60, 900), i);
  EXPECT_EQ(failures.count("kim", kT0 + 300, 900), 4);
  EXPECT_EQ(failures.count("kim", kT0 + 60 + 900, 900), 3);  // the first has left the window
  EXPECT_EQ(failures.record("kim", kT0 + 30, 900), 5);        // reported late
  EXPECT_EQ(failures.count("lee", kT0 + 300, 900), 0);
  for (int i = 0; i < 100; ++i) failures.record("lee", kT0 + i, 3600);
  EXPECT_EQ(failures.count("lee", kT0 + 100, 3600), static_cast<int>(kMaxFailedLogins));
}

TEST_F(Geo, FailedLoginBurstsBecomeASignal) {
  DecisionPoint pdp(policy(), staff(), {});
  Facts facts;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pdp.record_failed_login("kim", kT0 + i * 60), i + 1);
  auto o = pdp.decide(from("kim", "81.2.69.20", kT0 + 300), kT0 + 300, &facts);
  EXPECT_FALSE(has(facts.signals, "failed_logins"));
  EXPECT_EQ(o->risk, Risk::low);
  EXPECT_EQ(pdp.record_failed_login("kim", kT0 + 360), 5);
  o = pdp.decide(from("kim", "81.2.69.20", kT0 + 400), kT0 + 400, &facts);
  EXPECT_TRUE(has(facts.signals, "failed_logins"));
  EXPECT_EQ(o->risk, Risk::medium);
  EXPECT_EQ(o->reasons.back(), "5 failed sign-ins within 15 minutes");
  // Fifteen minutes after the first failure it no longer counts.
  o = pdp.decide(from("kim", "81.2.69.20", kT0 + 900), kT0 + 900, &facts);
  EXPECT_FALSE(has(facts.signals, "failed_logins"));
}

TEST_F(Geo, RefusedTokensCountAsFailedSignIns) {
  DecisionPoint pdp(policy("failed_logins: {count: 3, window: 10m}\n"), staff(), {});
  Facts facts;
  Request bad = from("lee", "81.2.69.20", kT0);
  bad.token = "eyJhbGciOiJub25lIn0.e30.";
  for (int i = 0; i < 3; ++i) {
    bad.time = kT0 + i;
    auto o = pdp.decide(bad, kT0 + i, &facts);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->decision, Decision::deny);
    EXPECT_NE(o->reasons[0].find("token was refused"), std::string::npos);
    EXPECT_EQ(has(facts.signals, "failed_logins"), i == 2) << i;
  }
  // The caller knew it too: the signal is there once.
  Request good = from("lee", "81.2.69.20", kT0 + 60);
  good.signals = {"failed_logins"};
  auto o = pdp.decide(good, kT0 + 60, &facts);
  EXPECT_EQ(std::count(facts.signals.begin(), facts.signals.end(), "failed_logins"), 1);
  EXPECT_EQ(o->reasons.back(), "3 failed sign-ins within 10 minutes");
}

}  // namespace
}  // namespace wardline::access
