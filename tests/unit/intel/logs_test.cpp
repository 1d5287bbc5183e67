#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <fstream>

#include "intel/intel.h"
#include "intel_fixtures.h"

namespace wardline::intel {
namespace {

using testing::external_dir;
using testing::fixture;
using testing::OwnedLine;
using testing::parse_all;

std::string read(const std::string& path) { return wardline::testing::read_file(path); }

std::vector<OwnedLine> records(const std::vector<OwnedLine>& lines) {
  std::vector<OwnedLine> out;
  for (const auto& l : lines)
    if (l.result == LineResult::record) out.push_back(l);
  return out;
}

// Zeek's own logs against the per-record extraction in expected_fields.json.
TEST(ZeekConformance, DestinationsOfEveryRecord) {
  SKIP_WITHOUT_EXTERNAL("logs/expected_fields.json");
  auto expected = nlohmann::json::parse(read(external_dir() + "/logs/expected_fields.json"));
  size_t files = 0;
  for (const auto& [name, want] : expected["files"].items()) {
    if (!name.starts_with("zeek/")) continue;
    ++files;
    std::string text = read(external_dir() + "/logs/" + name);
    size_t first = text.find_first_not_of(" \t\n");
    EXPECT_EQ(detect_log_format(text.substr(first, text.find('\n', first) - first)), LogFormat::zeek) << name;
    auto got = records(parse_all(LogFormat::zeek, text));
    ASSERT_EQ(got.size(), want.size()) << name;
    for (size_t i = 0; i < got.size(); ++i) {
      const auto& w = want[i];
      EXPECT_EQ(got[i].timestamp, w["ts"].get<std::string>()) << name << " record " << i;
      EXPECT_EQ(got[i].value("id.resp_h"), w["dst_ip"].get<std::string>()) << name << " record " << i;
      if (w.contains("hostname") && !w["hostname"].is_null()) {
        std::string host = got[i].value("query");
        if (host.empty()) host = std::string(host_of_url(got[i].value("host+uri")));
        EXPECT_EQ(host, w["hostname"].get<std::string>()) << name << " record " << i;
      }
      if (w.contains("url") && !w["url"].is_null()) {
        EXPECT_EQ(got[i].value("host+uri"), w["url"].get<std::string>());
      }
      if (w.contains("answers")) {
        std::vector<std::string> answers;
        for (const auto& a : w["answers"])
          if (a.get<std::string>().find(' ') == std::string::npos) answers.push_back(a);
        EXPECT_EQ(got[i].values("answers"), answers) << name << " record " << i;
      }
    }
  }
  EXPECT_EQ(files, 5u);
}

TEST(ZeekParser, HeaderRulesAndMalformedLines) {
  auto lines = parse_all(LogFormat::zeek,
                         "1.0\t10.0.0.1\n"
                         "#separator \\x7c\n"
                         "#fields|ts|id.resp_h|query\n"
                         "1521911720.1|198.51.100.7|evil.example\n"
                         "1521911720.2|-|(empty)\n"
                         "1521911720.3|too|many|fields\n");
  EXPECT_EQ(lines[0].result, LineResult::malformed);
  EXPECT_NE(lines[0].error.find("#fields"), std::string::npos);
  EXPECT_EQ(lines[3].result, LineResult::record);
  EXPECT_EQ(lines[3].value("query"), "evil.example");
  EXPECT_EQ(lines[4].result, LineResult::skip);  // unset and empty values observe nothing
  EXPECT_EQ(lines[5].result, LineResult::malformed);
  EXPECT_NE(lines[5].error.find("expected 3 fields"), std::string::npos);
  // An empty separator (found by fuzzing: it made splitting loop) is refused and the old one stays.
  auto empty = parse_all(LogFormat::zeek, "#separator \n#fields\tts\tquery\n1.0\tevil.example\n");
  EXPECT_EQ(empty[0].result, LineResult::malformed);
  EXPECT_EQ(empty[2].value("query"), "evil.example");
  auto empty_set = parse_all(LogFormat::zeek, "#set_separator\t\n#fields\tts\tanswers\n1.0\ta.example,b.example\n");
  EXPECT_EQ(empty_set[2].values("answers").size(), 2u);
}

TEST(SquidParser, DestinationsFromUrlsAndDirectPeers) {
  auto lines = parse_all(LogFormat::squid, read(fixture("squid_access.log")));
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[0].value("url"), "http://www.google-analytics.com/__utm.gif?");
  EXPECT_EQ(lines[0].value("peer"), "74.125.39.102");
  EXPECT_EQ(lines[0].timestamp, "1286536308.779");
  EXPECT_EQ(lines[1].value("url"), "login.yahoo.com:443");  // CONNECT
  EXPECT_EQ(lines[1].observed[0].kind, ObservedKind::host);
  EXPECT_EQ(lines[1].value("peer"), "209.73.177.115");
  EXPECT_EQ(lines[2].values("peer").size(), 0u);  // NONE/-
  EXPECT_EQ(lines[4].value("peer"), "198.51.100.23");  // HIER_DIRECT
  EXPECT_EQ(lines[5].values("peer").size(), 0u);  // a parent proxy is not the destination
  EXPECT_EQ(lines[6].result, LineResult::malformed);
  EXPECT_NE(lines[6].error.find("Unix time"), std::string::npos);
  EXPECT_EQ(lines[7].result, LineResult::malformed);
  EXPECT_NE(lines[7].error.find("at least 7"), std::string::npos);
}

TEST(EveParser, EventTypes) {
  auto lines = parse_all(LogFormat::eve, read(fixture("eve.json")));
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0].value("dest_ip"), "203.0.113.80");
  EXPECT_EQ(lines[0].value("http.hostname"), "EHR-Login.Example.COM");
  EXPECT_EQ(lines[0].value("http.url"), "http://EHR-Login.Example.COM/epic/login?next=%2Fhome");
  EXPECT_EQ(lines[1].value("tls.sni"), "p33-btmmdns.icloud.com.");
  EXPECT_EQ(lines[1].value("dest_ip"), "fe80:0000:0000:0000:0202:b3ff:fe1e:8329");
  EXPECT_EQ(lines[2].values("dest_ip").size(), 0u);  // in DNS events dest_ip is the client
  EXPECT_EQ(lines[2].value("dns.rrname"), "mfa-reset.example.org");
  EXPECT_EQ(lines[2].value("dns.rdata"), "198.51.100.23");
  EXPECT_EQ(lines[3].values("dns.answers.rdata"), (std::vector<std::string>{"cdn.bad-host.example", "192.0.2.44"}));
  EXPECT_EQ(lines[4].value("fileinfo.sha256"), "EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C");
  EXPECT_EQ(lines[5].result, LineResult::skip);  // stats
  EXPECT_EQ(lines[6].value("tls.sni"), "l2.io");
  EXPECT_EQ(lines[7].result, LineResult::malformed);
  EXPECT_NE(lines[7].error.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(lines[8].result, LineResult::malformed);
  EXPECT_NE(lines[8].error.find("one JSON object per line"), std::string::npos);
}

// The client address, which names the device an alert is about, per format.
TEST(LogClients, EachFormatNamesTheClient) {
  auto squid = parse_all(LogFormat::squid, "1286536309.450 99 10.20.1.17 TCP_MISS/200 1 GET http://a.example/ - DIRECT/1.2.3.4 -\n");
  EXPECT_EQ(squid[0].client, "10.20.1.17");
  auto eve = parse_all(LogFormat::eve, read(fixture("eve.json")));
  EXPECT_EQ(eve[0].client, "10.20.1.17");  // http: src_ip
  EXPECT_EQ(eve[2].client, "10.20.1.17");  // a DNS answer goes back to the client: dest_ip
  auto zeek = parse_all(LogFormat::zeek,
                        "#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_h\n1.0\t10.1.2.3\t198.51.100.9\n");
  EXPECT_EQ(zeek.back().client, "10.1.2.3");
  EXPECT_EQ(zeek.back().value("id.orig_h"), "");  // the client is not an observed destination
  auto cef = parse_all(LogFormat::cef, "CEF:0|Zscaler|NSS|1|1|Allowed|3| src=10.9.8.7 dst=198.51.100.9\n");
  EXPECT_EQ(cef[0].client, "10.9.8.7");
  auto ecs = parse_all(LogFormat::ecs, R"({"source":{"ip":"10.5.5.5"},"destination":{"ip":"198.51.100.9"}})"
                                       "\n"
                                       R"({"client.ip":"10.6.6.6","url.full":"https://x.example/"})");
  EXPECT_EQ(ecs[0].client, "10.5.5.5");
  EXPECT_EQ(ecs[1].client, "10.6.6.6");
}

TEST(CefConformance, EscapingExamples) {
  SKIP_WITHOUT_EXTERNAL("cef_syslog/cef_examples.expected.json");
  auto expected = nlohmann::json::parse(read(external_dir() + "/cef_syslog/cef_examples.expected.json"));
  for (const auto& ex : expected["examples"]) {
    std::string line = ex["line"];
    EXPECT_EQ(detect_log_format(line), LogFormat::cef);
    auto got = parse_all(LogFormat::cef, line);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].value("dst"), ex["expected"]["extension"]["dst"].get<std::string>()) << line;
  }
}

TEST(CefParser, FieldsEscapesAndBrokenHeaders) {
  auto lines = parse_all(LogFormat::cef, read(fixture("cef.log")));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].value("dst"), "192.168.10.1");
  EXPECT_EQ(lines[0].value("request"), "https://www.example.com/cart");
  EXPECT_EQ(lines[1].value("dst"), "52.173.84.157");
  EXPECT_EQ(lines[1].value("dhost"), "Mail.Evil-Payroll.example");
  EXPECT_EQ(lines[1].timestamp, "1583152806000");
  EXPECT_EQ(lines[2].value("c6a3"), "2001:db8::77");
  EXPECT_EQ(lines[2].value("fileHash"), "0749BAE92CA336A02C83D126E04EC628");  // trailing spaces trimmed
  EXPECT_EQ(lines[3].result, LineResult::malformed);
  EXPECT_NE(lines[3].error.find("7 '|'"), std::string::npos);
}

TEST(EcsParser, NestedAndDottedFieldNames) {
  auto lines = parse_all(LogFormat::ecs, read(fixture("ecs.jsonl")));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].value("destination.ip"), "198.51.100.23");
  EXPECT_EQ(lines[0].value("url.full"), "https://Payroll-Update.example.org/direct-deposit");
  EXPECT_EQ(lines[0].timestamp, "2024-03-01T10:00:00Z");
  EXPECT_EQ(lines[1].value("dns.question.name"), "mfa-reset.example.org");
  EXPECT_EQ(lines[1].values("dns.resolved_ip"), (std::vector<std::string>{"192.0.2.44", "192.0.2.45"}));
  EXPECT_EQ(lines[2].value("destination.address"), "cdn.bad-host.example");
  EXPECT_EQ(lines[2].observed.back().kind, ObservedKind::host);
  EXPECT_EQ(lines[2].value("file.hash.sha256").size(), 64u);
  EXPECT_EQ(lines[3].value("email.from.address"), "IT-Helpdesk@Evil-Payroll.example");
  EXPECT_EQ(lines[3].values("url.original").size(), 0u);  // a relative URL names no destination
  EXPECT_EQ(lines[4].result, LineResult::skip);
  EXPECT_EQ(lines[5].result, LineResult::malformed);
}

TEST(LogFormats, Detection) {
  EXPECT_EQ(detect_log_format("#separator \\x09"), LogFormat::zeek);
  EXPECT_EQ(detect_log_format("1286536309.450    599 192.168.0.224 TCP_MISS/200 3450 CONNECT a:443 - DIRECT/1.2.3.4 -"),
            LogFormat::squid);
  EXPECT_EQ(detect_log_format(R"({"timestamp":"x","event_type":"dns"})"), LogFormat::eve);
  EXPECT_EQ(detect_log_format(R"({"@timestamp":"x","destination":{"ip":"1.2.3.4"}})"), LogFormat::ecs);
  EXPECT_EQ(detect_log_format("<134>Mar  1 10:00:00 fw CEF:0|a|b|c|d|e|f|dst=1.2.3.4"), LogFormat::cef);
  EXPECT_EQ(detect_log_format("hello world"), std::nullopt);
  EXPECT_EQ(parse_log_format("eve"), LogFormat::eve);
  EXPECT_EQ(log_format_name(LogFormat::ecs), "ecs");
}

// ---------------------------------------------------------------- scanning

std::shared_ptr<const IndicatorSet> scan_set() {
  IndicatorSetBuilder b;
  auto add = [&](IndicatorType t, const char* v) {
    Indicator i;
    i.type = t;
    i.value = *normalize(t, v);
    EXPECT_TRUE(b.add(i, "test-feed", 90));
  };
  add(IndicatorType::domain, "lakeside-mychart-verify.com");
  add(IndicatorType::domain, "example.org");
  add(IndicatorType::ipv4, "198.51.100.0/24");
  add(IndicatorType::domain, "bad-host.example");
  add(IndicatorType::sha256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
  add(IndicatorType::email, "it-helpdesk@evil-payroll.example");
  add(IndicatorType::domain, "icloud.com");
  return b.build();
}

struct Scanned {
  ScanStats stats;
  std::vector<std::string> hits;  // "line field observed -> indicator"
};

Scanned scan_file(const std::string& path, std::optional<LogFormat> format = std::nullopt) {
  auto set = scan_set();
  Scanned out;
  int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0) << path;
  auto stats = scan_stream(fd, path, format, *set, [&](const Hit& h) {
    out.hits.push_back(std::to_string(h.line) + " " + std::string(h.field) + " " + std::string(h.observed) + " -> " +
                       h.match.value);
    EXPECT_EQ(h.match.provenance->feeds, std::vector<std::string>{"test-feed"});
  });
  ::close(fd);
  EXPECT_TRUE(stats) << (stats ? "" : stats.error().message);
  if (stats) out.stats = *stats;
  return out;
}

TEST(Scan, SquidHitsAndMalformedLines) {
  auto s = scan_file(fixture("squid_access.log"));
  EXPECT_EQ(s.stats.lines, 8u);
  EXPECT_EQ(s.stats.records, 6u);
  EXPECT_EQ(s.stats.malformed, 2u);
  ASSERT_EQ(s.stats.first_malformed.size(), 2u);
  EXPECT_EQ(s.stats.first_malformed[0].first, 7u);
  EXPECT_EQ(s.hits, (std::vector<std::string>{
                        "3 url http://Portal.Lakeside-MyChart-Verify.com/login.php?id=7 -> lakeside-mychart-verify.com",
                        "5 url https://payroll-update.example.org:443/direct-deposit -> example.org",
                        "5 peer 198.51.100.23 -> 198.51.100.0/24",
                    }));
}

TEST(Scan, EveEcsAndCefHits) {
  auto eve = scan_file(fixture("eve.json"));
  EXPECT_EQ(eve.hits, (std::vector<std::string>{
                          "2 tls.sni p33-btmmdns.icloud.com. -> icloud.com",
                          "3 dns.rrname mfa-reset.example.org -> example.org",
                          "3 dns.rdata 198.51.100.23 -> 198.51.100.0/24",
                          "4 dns.answers.rdata cdn.bad-host.example -> bad-host.example",
                          "5 fileinfo.sha256 EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C -> "
                          "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c",
                      }));
  EXPECT_EQ(eve.stats.malformed, 2u);
  auto ecs = scan_file(fixture("ecs.jsonl"));
  EXPECT_EQ(ecs.stats.records, 4u);
  EXPECT_EQ(ecs.hits.size(), 6u);  // line 3 names bad-host.example twice: one hit
  EXPECT_EQ(ecs.hits.back(), "4 email.from.address IT-Helpdesk@Evil-Payroll.example -> it-helpdesk@evil-payroll.example");
  auto cef = scan_file(fixture("cef.log"));
  EXPECT_EQ(cef.hits, std::vector<std::string>{});
  EXPECT_EQ(cef.stats.malformed, 1u);
}

TEST(Scan, HostileInputNeverStopsTheScan) {
  wardline::testing::TempDir dir;
  std::string path = dir.path() + "/hostile.log";
  {
    std::ofstream f(path, std::ios::binary);
    f << "1286536309.450 1 10.0.0.1 TCP_MISS/200 1 GET http://a.example.org/ - DIRECT/1.1.1.1 -\r\n";
    f << std::string(3 << 20, 'x') << "\n";  // a 3 MiB line
    f << std::string("1286536309.450 1 10.0.0.1 TCP_MISS/200 1 GET http://\xff\xfe.example.org/ - NONE/- -\n");
    f << std::string(1000, '\0') << "\n";
    f << "1286536309.450 1 10.0.0.1 TCP_MISS/200 1 GET http://b.example.org/ - DIRECT/1.1.1.1 -";  // no final newline
  }
  auto s = scan_file(path, LogFormat::squid);
  EXPECT_EQ(s.stats.lines, 5u);
  EXPECT_EQ(s.stats.malformed, 2u);
  EXPECT_EQ(s.stats.first_malformed.at(0).first, 2u);
  EXPECT_EQ(s.hits.size(), 2u);
  EXPECT_EQ(s.hits.back().substr(0, 2), "5 ");
}

TEST(Scan, UnknownFormatIsAnErrorThatSaysWhatToDo) {
  wardline::testing::TempDir dir;
  std::string path = dir.path() + "/what.log";
  std::ofstream(path) << "\n\nhello world\n";
  auto set = scan_set();
  int fd = ::open(path.c_str(), O_RDONLY);
  auto stats = scan_stream(fd, "what.log", std::nullopt, *set, [](const Hit&) {});
  ::close(fd);
  ASSERT_FALSE(stats);
  EXPECT_NE(stats.error().message.find("what.log:3"), std::string::npos);
  EXPECT_NE(stats.error().message.find("--format"), std::string::npos);
}

}  // namespace
}  // namespace wardline::intel

namespace wardline::intel {
namespace {

// Split between threads, a file gives the same hits, line numbers and
// malformed-line reports as read in one piece.
TEST(Scan, ThreadsAgreeWithOneReader) {
  wardline::testing::TempDir dir;
  std::string path = dir.path() + "/big.log";
  {
    std::ofstream f(path);
    for (int i = 0; i < 400000; ++i) {
      if (i % 50000 == 7) f << "garbage line " << i << "\n";
      f << "1286536309." << i % 1000 << " 5 10.0.0.1 TCP_MISS/200 1 GET http://"
        << (i % 1000 == 3 ? "x.lakeside-mychart-verify.com" : "www.site" + std::to_string(i % 5000) + ".example")
        << "/p - HIER_DIRECT/" << (i % 777 == 0 ? "198.51.100.9" : "192.0.2.1") << " text/html\n";
    }
  }
  auto run = [&](unsigned threads) {
    std::vector<std::string> hits;
    int fd = ::open(path.c_str(), O_RDONLY);
    auto set = scan_set();
    auto stats = scan_file(fd, static_cast<uint64_t>(::lseek(fd, 0, SEEK_END)), "big.log", std::nullopt, *set, threads,
                           [&](const Hit& h) { hits.push_back(std::to_string(h.line) + " " + std::string(h.observed)); });
    ::close(fd);
    EXPECT_TRUE(stats);
    return std::make_pair(hits, *stats);
  };
  auto [one, one_stats] = run(1);
  auto [four, four_stats] = run(4);
  EXPECT_EQ(one, four);
  EXPECT_EQ(one_stats.lines, 400008u);
  EXPECT_EQ(four_stats.lines, one_stats.lines);
  EXPECT_EQ(four_stats.malformed, 8u);
  EXPECT_EQ(four_stats.first_malformed, one_stats.first_malformed);
  EXPECT_EQ(one.size(), 400u + 515u);
}

}  // namespace
}  // namespace wardline::intel

namespace wardline::intel {
namespace {

std::vector<std::string> frames_of(SyslogFramer& f, std::vector<std::string>* errors = nullptr) {
  std::vector<std::string> out;
  std::string m;
  for (;;) {
    auto n = f.next(m);
    if (n == SyslogFramer::Next::need_more) return out;
    if (n == SyslogFramer::Next::malformed) {
      if (errors) errors->push_back(f.error());
      continue;
    }
    out.push_back(m);
  }
}

TEST(Syslog, FramingOctetCountedAndLineTerminatedAcrossReads) {
  SyslogFramer f(100);
  std::string a = "<34>1 - h app - - - hello", b = "line two";
  std::string stream = std::to_string(a.size()) + " " + a + b + "\r\n" + "9999 " + std::string(150, 'x') + "7 <1>bye\n" +
                       "12x no\n" + std::string(150, 'y') + "\nlast\n";
  std::vector<std::string> got, errors;
  for (size_t i = 0; i < stream.size(); i += 7) {  // arrives in small pieces
    f.feed(std::string_view(stream).substr(i, 7));
    for (auto& m : frames_of(f, &errors)) got.push_back(m);
  }
  // The 9999-byte frame is dropped whole; its announced length swallows the rest, which is fine:
  // a sender that lies about lengths loses its own messages, never the listener.
  EXPECT_EQ(got.at(0), a);
  EXPECT_EQ(got.at(1), b);
  EXPECT_EQ(errors.at(0).find("9999 bytes"), 11u);
  SyslogFramer g(100);
  g.feed("12x no\n" + std::string(150, 'y') + "\nlast\n");
  std::vector<std::string> errors2;
  EXPECT_EQ(frames_of(g, &errors2), std::vector<std::string>{"last"});
  ASSERT_EQ(errors2.size(), 2u);
  EXPECT_NE(errors2[0].find("octet-counted"), std::string::npos);
  EXPECT_NE(errors2[1].find("over the 100-byte limit"), std::string::npos);
}

TEST(SyslogConformance, Rfc5424Examples) {
  SKIP_WITHOUT_EXTERNAL("cef_syslog/rfc5424_examples.json");
  auto examples = nlohmann::json::parse(read(external_dir() + "/cef_syslog/rfc5424_examples.json"));
  for (const auto& ex : examples["messages"]) {
    std::string wire = ex["wire"];
    SyslogMessage m = parse_syslog(wire);
    const auto& e = ex["expected"];
    EXPECT_TRUE(m.rfc5424) << wire;
    EXPECT_EQ(m.pri, e["pri"].get<int>());
    EXPECT_EQ(m.timestamp, e["timestamp"].get<std::string>());
    EXPECT_EQ(m.host, e["hostname"].get<std::string>());
    EXPECT_EQ(m.app, e["app_name"].get<std::string>());
    std::string msg = e["msg"].is_null() ? "" : e["msg"].get<std::string>();
    EXPECT_EQ(m.msg, msg) << wire;
    EXPECT_EQ(m.structured_data.starts_with("["), !e["structured_data"].is_null()) << wire;
  }
}

TEST(Syslog, Rfc3164AndHeaderlessMessages) {
  auto squid = parse_syslog("<134>Nov 28 10:00:01 proxy1 squid[311]: 1286536309.450 599 10.0.0.1 TCP_MISS/200 1 GET http://a/ - DIRECT/1.2.3.4 -");
  EXPECT_EQ(squid.pri, 134);
  EXPECT_EQ(squid.host, "proxy1");
  EXPECT_EQ(squid.app, "squid");
  EXPECT_TRUE(squid.msg.starts_with("1286536309.450"));
  auto cef = parse_syslog("<134>Nov 28 10:00:01 fw02 CEF:0|Check Point|VPN-1|x|y|z|1|msg=Referred connection: ok dst=1.2.3.4");
  EXPECT_TRUE(cef.msg.starts_with("CEF:0|"));
  EXPECT_EQ(parse_syslog("CEF:0|a|b|c|d|e|f|dst=1.2.3.4").pri, -1);
  EXPECT_EQ(parse_syslog("<999>1 x").pri, -1);  // not a valid PRI: the whole frame is the message
  EXPECT_EQ(parse_syslog("<13>1 2026-11-28T10:00:00Z h a - - [unclosed").rfc5424, false);
}

}  // namespace
}  // namespace wardline::intel
