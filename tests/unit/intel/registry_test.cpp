#include <gtest/gtest.h>
#include <httplib.h>

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
  ASSERT_TRUE(reg.add(feed("local", local, FeedFormat::list)));
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
