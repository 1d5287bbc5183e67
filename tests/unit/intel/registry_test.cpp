#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "intel/intel.h"
#include "support/test_support.h"

namespace wardline::intel {
namespace {

std::shared_ptr<const IndicatorSet> sample_set() {
  IndicatorSetBuilder b;
  auto add = [&](IndicatorType t, const char* v, std::vector<std::string> labels, const char* feed) {
    Indicator i;
    i.type = t;
    i.value = *normalize(t, v);
    i.labels = std::move(labels);
    i.valid_from = 1709251200;
    EXPECT_TRUE(b.add(i, feed, 75));
  };
  add(IndicatorType::domain, "evil.example", {"smishing"}, "isac");
  add(IndicatorType::domain, "evil.example", {}, "urlhaus");
  add(IndicatorType::url, "http://bad.example/phish/", {}, "urlhaus");
  add(IndicatorType::ipv4, "198.51.100.0/24", {}, "isac");
  add(IndicatorType::ipv6, "2001:db8::/32", {}, "isac");
  add(IndicatorType::sha256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c", {}, "isac");
  return b.build();
}

std::vector<std::string> dump(const IndicatorSet& set) {
  std::vector<std::string> out;
  set.for_each([&](IndicatorType t, std::string_view v, const Provenance& p) {
    std::string line = std::string(type_name(t)) + " " + std::string(v) + " " + std::to_string(p.confidence);
    for (const auto& f : p.feeds) line += " " + f;
    for (const auto& l : p.labels) line += " #" + l;
    out.push_back(line);
  });
  return out;
}

TEST(Snapshot, RoundTripKeepsEveryIndicatorAndMatch) {
  wardline::testing::TempDir dir;
  auto set = sample_set();
  std::string path = dir.path() + "/s.snapshot";
  ASSERT_TRUE(save_snapshot(*set, path));
  auto back = load_snapshot(path);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(dump(**back), dump(*set));
  EXPECT_EQ((*back)->size(), set->size());
  EXPECT_EQ((*back)->count(IndicatorType::url), 1u);
  EXPECT_EQ((*back)->match_host("a.evil.example")->provenance->feeds, (std::vector<std::string>{"isac", "urlhaus"}));
  EXPECT_TRUE((*back)->match_ip("198.51.100.9"));
  EXPECT_TRUE((*back)->match_ip("2001:db8::5"));
  EXPECT_TRUE((*back)->match_url("http://bad.example/phish/x"));
}

TEST(Snapshot, DamageIsDetectedAndExplained) {
  wardline::testing::TempDir dir;
  std::string path = dir.path() + "/s.snapshot";
  ASSERT_TRUE(save_snapshot(*sample_set(), path));
  std::string good = wardline::testing::read_file(path);
  auto expect_corrupt = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    auto r = load_snapshot(path);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "corrupt_snapshot");
    EXPECT_NE(r.error().message.find("intel feed pull"), std::string::npos);
  };
  for (size_t at : {size_t{9}, good.size() / 3, good.size() / 2, good.size() - 12, good.size() - 1}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    expect_corrupt(bad);
  }
  expect_corrupt(good.substr(0, good.size() / 2));
  expect_corrupt("");
  expect_corrupt("WLINTEL1");
  auto missing = load_snapshot(dir.path() + "/none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "no_snapshot");
}

// A feed server with ETags: 304 when the client already has the version.
class FeedServer {
 public:
  FeedServer() {
    server_.Get("/feed.txt", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++requests_;
      if (status_ != 200) {
        res.status = status_;
        return;
      }
      if (req.get_header_value("If-None-Match") == etag_) {
        res.status = 304;
        return;
      }
      res.set_header("ETag", etag_);
      res.set_content(body_, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FeedServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/feed.txt"; }
  void serve(std::string body, std::string etag, int status = 200) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
    etag_ = std::move(etag);
    status_ = status;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::string body_, etag_;
  int status_ = 200;
  int requests_ = 0;
};

class RegistryTest : public ::testing::TestWithParam<std::string> {};

FeedEntry feed(std::string name, std::string source, std::optional<FeedFormat> format = std::nullopt) {
  FeedEntry f;
  f.name = std::move(name);
  f.source = std::move(source);
  f.format = format;
  return f;
}

const FeedEntry* find(const std::vector<FeedEntry>& feeds, const std::string& name) {
  for (const auto& f : feeds)
    if (f.name == name) return &f;
  return nullptr;
}

TEST_P(RegistryTest, AddPullConditionalGetFailureAndRemove) {
  wardline::testing::TempDir dir;
  auto store = wardline::testing::open_test_store(GetParam(), dir.path());
  FeedRegistry reg(*store, dir.path());
  FeedServer server;
  server.serve("# isac feed\nevil.example\n198.51.100.0/24\nco.uk\n", "\"v1\"");
  std::string local = dir.path() + "/local.txt";
  std::ofstream(local) << "local-bad.example\n";

  EXPECT_EQ(reg.add(feed("Bad Name", local)).error().code, "invalid_feed");
  EXPECT_EQ(reg.add(feed("x", dir.path() + "/missing.txt")).error().code, "invalid_feed");
  FeedEntry isac = feed("isac", server.url());
  isac.confidence = 90;
  ASSERT_TRUE(reg.add(isac));
  FeedEntry decaying = feed("local", local, FeedFormat::list);
  decaying.half_life = 30 * 86400;
  ASSERT_TRUE(reg.add(decaying));
  EXPECT_EQ(reg.add(feed("local", local)).error().code, "conflict");

  auto first = reg.pull({});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->indicators, 3u);
  const FeedEntry* f = find(first->feeds, "isac");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->last_status, "ok");
  EXPECT_EQ(f->indicators, 2u);
  EXPECT_EQ(f->rejected, 1u);  // co.uk: a public suffix
  EXPECT_NE(f->rejects.at(0).reason.find("public suffix"), std::string::npos);
  auto set = load_snapshot(reg.snapshot_path());
  ASSERT_TRUE(set);
  EXPECT_EQ((*set)->match_host("www.evil.example")->provenance->confidence, 90);

  // Unchanged on the server: 304, the kept copy still counts.
  auto second = reg.pull({});
  ASSERT_TRUE(second);
  EXPECT_EQ(find(second->feeds, "isac")->last_status, "not_modified") << find(second->feeds, "isac")->last_error;
  EXPECT_EQ(second->indicators, 3u);

  // The server fails: the feed is marked, its last good copy stays in use.
  server.serve("", "", 503);
  auto third = reg.pull({});
  ASSERT_TRUE(third);
  EXPECT_EQ(find(third->feeds, "isac")->last_status, "error");
  EXPECT_NE(find(third->feeds, "isac")->last_error.find("HTTP 503"), std::string::npos);
  EXPECT_EQ(third->indicators, 3u);

  // A new version replaces the old one.
  server.serve("new-evil.example\n", "\"v2\"");
  auto fourth = reg.pull({});
  ASSERT_TRUE(fourth);
  set = load_snapshot(reg.snapshot_path());
  EXPECT_FALSE((*set)->match_host("evil.example"));
  EXPECT_TRUE((*set)->match_host("new-evil.example"));

  auto listed = reg.list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "isac");
  EXPECT_EQ((*listed)[0].last_status, "ok");
  EXPECT_EQ((*listed)[1].format, FeedFormat::list);
  EXPECT_EQ((*listed)[1].half_life, 30 * 86400);

  // An indicator an analyst called a false positive is left out of the next set.
  AlertBook alerts(*store);
  Sighting s;
  s.indicator = "new-evil.example";
  s.at = 1;
  auto created = alerts.record({s});
  ASSERT_TRUE(created);
  ASSERT_TRUE(alerts.set_status(created->created.at(0).id, "false_positive"));
  auto suppressed = reg.pull({});
  ASSERT_TRUE(suppressed);
  EXPECT_FALSE(load_snapshot(reg.snapshot_path()).value()->match_host("new-evil.example"));
  EXPECT_EQ(find(suppressed->feeds, "isac")->ignored, 1u);

  ASSERT_TRUE(reg.remove("isac"));
  EXPECT_EQ(reg.remove("isac").error().code, "not_found");
  auto fifth = reg.pull(WarningList{{"local-bad.example"}});
  ASSERT_TRUE(fifth);
  EXPECT_EQ(fifth->indicators, 0u);
  EXPECT_EQ(fifth->warninglisted, 1u);
  EXPECT_EQ(find(fifth->feeds, "local")->ignored, 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, RegistryTest, ::testing::ValuesIn(wardline::testing::kStoreKinds));

}  // namespace
}  // namespace wardline::intel

namespace wardline::intel {
namespace {

// A TAXII 2.1 server over HTTPS with a certificate from its own CA: discovery,
// an API root with one collection, objects in pages, bearer authentication.
class TaxiiServer {
 public:
  explicit TaxiiServer(const std::string& dir) : cert_(dir + "/taxii-cert.pem"), key_(dir + "/taxii-key.pem") {
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 "
                      "-addext subjectAltName=IP:127.0.0.1 -keyout " + key_ + " -out " + cert_ + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key_.c_str());
    auto taxii = [](httplib::Response& res, const nlohmann::json& body) {
      res.set_content(body.dump(), "application/taxii+json;version=2.1");
    };
    server_->Get("/taxii2/", [this, taxii](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Accept").find("application/taxii+json") == std::string::npos) {
        res.status = 406;
        return;
      }
      taxii(res, {{"title", "Health-ISAC"}, {"api_roots", {"/api1/"}}});
    });
    server_->Get("/api1/collections/", [taxii](const httplib::Request&, httplib::Response& res) {
      taxii(res, {{"collections", {{{"id", kCollection}, {"title", "Phishing infrastructure"}, {"can_read", true}, {"can_write", false}}}}});
    });
    server_->Get(R"(/api1/collections/([^/]+)/objects/)", [this, taxii](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      if (req.get_header_value("Authorization") != "Bearer taxii-token") {
        res.status = 401;
        return;
      }
      added_after_seen_.push_back(req.has_param("added_after") ? req.get_param_value("added_after") : "");
      // Objects newer than added_after, two per page.
      std::vector<nlohmann::json> fresh;
      std::string after = req.has_param("added_after") ? req.get_param_value("added_after") : "";
      for (const auto& [added, o] : objects_)
        if (added > after) fresh.push_back(o);
      size_t start = req.has_param("next") ? std::stoul(req.get_param_value("next")) : 0;
      nlohmann::json page = nlohmann::json::array();
      for (size_t i = start; i < fresh.size() && i < start + 2; ++i) page.push_back(fresh[i]);
      bool more = start + 2 < fresh.size();
      nlohmann::json env{{"more", more}};
      if (!page.empty()) env["objects"] = page;
      if (more) env["next"] = std::to_string(start + 2);
      if (!objects_.empty()) res.set_header("X-TAXII-Date-Added-Last", objects_.back().first);
      taxii(res, env);
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TaxiiServer() {
    server_->stop();
    thread_.join();
  }
  static constexpr const char* kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
  std::string base() const { return "https://127.0.0.1:" + std::to_string(port_); }
  const std::string& cert() const { return cert_; }
  void publish(const std::string& added, nlohmann::json object) {
    std::lock_guard lock(mu_);
    objects_.emplace_back(added, std::move(object));
  }
  std::vector<std::string> added_after_seen() {
    std::lock_guard lock(mu_);
    return added_after_seen_;
  }

 private:
  std::string cert_, key_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::pair<std::string, nlohmann::json>> objects_;  // (date added, object)
  std::vector<std::string> added_after_seen_;
};

nlohmann::json stix_indicator(const std::string& id, const std::string& pattern, const std::string& modified, bool revoked = false) {
  return {{"type", "indicator"}, {"spec_version", "2.1"}, {"id", id}, {"created", "2026-11-01T00:00:00.000Z"},
          {"modified", modified}, {"pattern", pattern}, {"pattern_type", "stix"}, {"valid_from", "2026-11-01T00:00:00Z"},
          {"revoked", revoked}};
}

TEST_P(RegistryTest, TaxiiCollectionOverVerifiedTlsWithBearerTokenAndIncrementalPulls) {
  wardline::testing::TempDir dir;
  auto store = wardline::testing::open_test_store(GetParam(), dir.path());
  TaxiiServer server(dir.path());
  const std::string a = "indicator--0f6a3d83-2f22-4c38-a7ab-8b3f2a1d7a01", b = "indicator--0f6a3d83-2f22-4c38-a7ab-8b3f2a1d7a02",
                    c = "indicator--0f6a3d83-2f22-4c38-a7ab-8b3f2a1d7a03";
  server.publish("2026-11-01T00:00:01.000Z", stix_indicator(a, "[domain-name:value = 'mychart-verify.example']", "2026-11-01T00:00:00.000Z"));
  server.publish("2026-11-01T00:00:02.000Z", stix_indicator(b, "[url:value = 'http://payroll.example/dd']", "2026-11-01T00:00:00.000Z"));
  server.publish("2026-11-01T00:00:03.000Z", stix_indicator(c, "[ipv4-addr:value = '198.51.100.0/24']", "2026-11-01T00:00:00.000Z"));
  std::string token = dir.path() + "/taxii.token";
  std::ofstream(token) << "taxii-token\n";
  FeedAccess access{"bearer:" + token, server.cert()};

  auto collections = taxii_collections(server.base() + "/taxii2/", access);
  ASSERT_TRUE(collections) << collections.error().message;
  ASSERT_EQ(collections->size(), 1u);
  EXPECT_EQ((*collections)[0].title, "Phishing infrastructure");
  EXPECT_EQ((*collections)[0].url, server.base() + "/api1/collections/" + TaxiiServer::kCollection + "/");
  auto untrusted = taxii_collections(server.base() + "/taxii2/", FeedAccess{});
  ASSERT_FALSE(untrusted);  // certificates are verified: the private CA must be given

  FeedRegistry reg(*store, dir.path());
  FeedEntry isac = feed("hisac", (*collections)[0].url, FeedFormat::taxii);
  isac.access = access;
  FeedEntry missing_secret = feed("x", (*collections)[0].url, FeedFormat::taxii);
  missing_secret.access.auth = "bearer:" + dir.path() + "/none.token";
  EXPECT_EQ(reg.add(missing_secret).error().code, "invalid_feed");
  EXPECT_EQ(reg.add(feed("y", dir.path(), FeedFormat::taxii)).error().code, "invalid_feed");  // not a URL
  ASSERT_TRUE(reg.add(isac));
  FeedEntry wrong = feed("wrong", (*collections)[0].url, FeedFormat::taxii);
  std::string bad_token = dir.path() + "/bad.token";
  std::ofstream(bad_token) << "nope\n";
  wrong.access = {"bearer:" + bad_token, server.cert()};
  ASSERT_TRUE(reg.add(wrong));

  auto first = reg.pull({});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(find(first->feeds, "hisac")->last_status, "ok");
  EXPECT_EQ(find(first->feeds, "hisac")->indicators, 3u);  // two pages read
  EXPECT_EQ(find(first->feeds, "wrong")->last_status, "error");
  EXPECT_NE(find(first->feeds, "wrong")->last_error.find("HTTP 401"), std::string::npos);

  // Nothing new: the next pull asks only for what was added after the last one.
  auto second = reg.pull({});
  ASSERT_TRUE(second);
  EXPECT_EQ(find(second->feeds, "hisac")->last_status, "not_modified");
  EXPECT_EQ(second->indicators, 3u);
  auto seen = server.added_after_seen();
  EXPECT_EQ(seen.back(), "2026-11-01T00:00:03.000Z");

  // A newer version of an object replaces the old one: here it is revoked.
  server.publish("2026-11-02T00:00:00.000Z", stix_indicator(a, "[domain-name:value = 'mychart-verify.example']", "2026-11-02T00:00:00.000Z", true));
  auto third = reg.pull({});
  ASSERT_TRUE(third);
  EXPECT_EQ(third->indicators, 2u);
  auto set = load_snapshot(reg.snapshot_path());
  ASSERT_TRUE(set);
  EXPECT_FALSE((*set)->match_host("mychart-verify.example"));
  EXPECT_TRUE((*set)->match_ip("198.51.100.7"));
}

}  // namespace
}  // namespace wardline::intel

namespace wardline::intel {
namespace {

std::shared_ptr<const IndicatorSet> set_of(std::vector<std::pair<IndicatorType, std::string>> values) {
  IndicatorSetBuilder b;
  for (auto& [t, v] : values) {
    Indicator i;
    i.type = t;
    i.value = *normalize(t, v);
    EXPECT_TRUE(b.add(i, "f"));
  }
  return b.build();
}

TEST_P(RegistryTest, RetroHuntMatchesNewIndicatorsAgainstPastDestinations) {
  wardline::testing::TempDir dir;
  auto store = wardline::testing::open_test_store(GetParam(), dir.path());
  ObservationLog log(*store);
  ObservationLog::Batch batch;
  batch.add({"url.full", ObservedKind::url, "https://Login.Late-Indicator.example/p?mrn=123"});
  batch.add({"dns.question.name", ObservedKind::host, "cdn.old.example."});
  batch.add({"destination.ip", ObservedKind::ip, "198.51.100.23"});
  batch.add({"email.from.address", ObservedKind::email, "x@y.example"});  // not a destination
  EXPECT_EQ(batch.size(), 3u);
  int64_t day1 = 1764288000;  // 2025-11-28
  ASSERT_TRUE(log.record(batch, "api:svc.proxy", day1 + 100));
  ASSERT_TRUE(log.record(batch, "api:svc.proxy", day1 + 200));  // same day: counted into the same rows
  auto rows = store->query("SELECT hits, first_seen, last_seen FROM intel_observations WHERE kind = 'ip'");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].integer(0), 2);
  EXPECT_EQ((*rows)[0].integer(1), day1 + 100);
  EXPECT_EQ((*rows)[0].integer(2), day1 + 200);
  auto urls = store->query("SELECT value FROM intel_observations WHERE kind = 'url'");
  EXPECT_EQ((*urls)[0].text(0), "https://login.late-indicator.example/p");  // no query string kept

  auto before = set_of({{IndicatorType::domain, "old.example"}});
  auto after = set_of({{IndicatorType::domain, "old.example"}, {IndicatorType::domain, "late-indicator.example"},
                       {IndicatorType::ipv4, "198.51.100.0/24"}});
  auto found = log.hunt(*after, before.get(), day1);
  ASSERT_TRUE(found) << found.error().message;
  std::vector<std::string> indicators;
  for (const auto& s : *found) {
    indicators.push_back(s.indicator);
    EXPECT_EQ(s.source, "retro-hunt");
  }
  std::sort(indicators.begin(), indicators.end());
  EXPECT_EQ(indicators, (std::vector<std::string>{"198.51.100.0/24", "late-indicator.example"}));  // not old.example: not new
  EXPECT_EQ(log.hunt(*after, after.get(), day1)->size(), 0u);
  EXPECT_EQ(log.hunt(*after, nullptr, day1 + 86400)->size(), 0u);  // outside the window
  auto gone = log.expire(day1 + 86400);
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, 3);
  EXPECT_EQ(log.hunt(*after, nullptr, 0)->size(), 0u);
}

}  // namespace
}  // namespace wardline::intel
