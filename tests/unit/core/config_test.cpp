#include "core/config.h"

#include <gtest/gtest.h>

namespace wardline {
namespace {

TEST(Config, EmptyDocumentGivesDocumentedDefaults) {
  auto c = parse_config("", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen, "127.0.0.1:8443");
  EXPECT_EQ(c->data_dir, "./var");
  EXPECT_EQ(c->store, "sqlite");
  EXPECT_TRUE(c->tls.enabled);
  EXPECT_EQ(c->tls.min_version, "1.2");
  EXPECT_EQ(c->http.max_body_bytes, 1u << 20);
  EXPECT_EQ(c->token_default_ttl, std::chrono::hours(24 * 30));
}

TEST(Config, ParsesEveryKey) {
  auto c = parse_config(R"(
listen: 0.0.0.0:9443
data_dir: /srv/wardline
store: postgres://wardline@db:5432/wardline
store_pool_size: 8
tls: {cert_file: /etc/w/cert.pem, key_file: /etc/w/key.pem, min_version: "1.3"}
http: {max_body_bytes: 2048, read_timeout_seconds: 3, write_timeout_seconds: 4, threads: 16}
auth: {token_default_ttl: 12h}
log: {level: debug}
siem:
  sinks:
    - {name: file, type: jsonl, path: /var/log/w.jsonl, max_bytes: 100, max_files: 3, queue_size: 7}
    - {type: syslog, transport: tls, host: siem.example.org, port: 6514, format: cef, ca_file: /etc/ca.pem}
)", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen, "0.0.0.0:9443");
  EXPECT_EQ(c->store_pool_size, 8);
  EXPECT_EQ(c->tls.min_version, "1.3");
  EXPECT_EQ(c->http.threads, 16);
  EXPECT_EQ(c->token_default_ttl, std::chrono::hours(12));
  EXPECT_EQ(c->log_level, "debug");
  ASSERT_EQ(c->sinks.size(), 2u);
  EXPECT_EQ(c->sinks[0].queue_size, 7u);
  EXPECT_EQ(c->sinks[1].name, "syslog-1");
  EXPECT_EQ(c->sinks[1].transport, "tls");
  EXPECT_EQ(c->sinks[1].port, 6514);
  EXPECT_EQ(c->sinks[1].format, "cef");
}

TEST(Config, UnknownKeyIsNamedWithLineColumnAndSuggestion) {
  auto c = parse_config("listen: 127.0.0.1:1\nhttp:\n  max_body_byte: 10\n", "w.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().field, "http.max_body_byte");
  EXPECT_NE(c.error().message.find("w.yaml:3:3"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("did you mean 'max_body_bytes'"), std::string::npos) << c.error().message;
}

TEST(Config, WrongTypesAndValuesAreRejectedWithPosition) {
  auto bad_int = parse_config("http:\n  threads: many\n", "w.yaml");
  ASSERT_FALSE(bad_int.ok());
  EXPECT_NE(bad_int.error().message.find("w.yaml:2:12"), std::string::npos) << bad_int.error().message;

  auto tls11 = parse_config("tls:\n  min_version: \"1.1\"\n", "w.yaml");
  ASSERT_FALSE(tls11.ok());
  EXPECT_NE(tls11.error().message.find("expected one of: 1.2, 1.3"), std::string::npos);

  EXPECT_FALSE(parse_config("listen: nowhere\n", "w.yaml").ok());
  EXPECT_FALSE(parse_config("store: mysql://x\n", "w.yaml").ok());
  EXPECT_FALSE(parse_config("http:\n  threads: 0\n", "w.yaml").ok());
  EXPECT_FALSE(parse_config("tls:\n  cert_file: a.pem\n", "w.yaml").ok());
  EXPECT_FALSE(parse_config("siem:\n  sinks:\n    - {type: jsonl}\n", "w.yaml").ok());
  EXPECT_FALSE(parse_config("siem:\n  sinks: {type: jsonl}\n", "w.yaml").ok());
  EXPECT_FALSE(parse_config("- a\n- b\n", "w.yaml").ok());
}

TEST(Config, SyntaxErrorHasPosition) {
  auto c = parse_config("listen: [unclosed\n", "w.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("w.yaml:"), std::string::npos);
  EXPECT_NE(c.error().message.find("YAML syntax error"), std::string::npos);
}

TEST(Config, MissingFileIsAClearError) {
  auto c = load_config_file("/nonexistent/wardline.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("/nonexistent/wardline.yaml"), std::string::npos);
}

TEST(Duration, ParsesUnitsAndRejectsGarbage) {
  EXPECT_EQ(*parse_duration("30d"), std::chrono::hours(720));
  EXPECT_EQ(*parse_duration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*parse_duration("2w"), std::chrono::hours(24 * 14));
  EXPECT_FALSE(parse_duration("30").ok());
  EXPECT_FALSE(parse_duration("d").ok());
  EXPECT_FALSE(parse_duration("-1d").ok());
  EXPECT_FALSE(parse_duration("0d").ok());
  EXPECT_FALSE(parse_duration("99999999999d").ok());
}

TEST(HostPort, ParsesV4V6AndRejectsBadPorts) {
  auto v4 = parse_host_port("127.0.0.1:8443");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8443);
  auto v6 = parse_host_port("[::1]:443");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(parse_host_port("host:99999").ok());
  EXPECT_FALSE(parse_host_port("host:").ok());
  EXPECT_FALSE(parse_host_port(":80").ok());
  EXPECT_FALSE(parse_host_port("host").ok());
}

}  // namespace
}  // namespace wardline

namespace wardline {
namespace {

TEST(Config, IntelSection) {
  auto defaults = parse_config("", "t.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->intel.pull_interval, std::chrono::hours(1));
  auto c = parse_config("intel: {pull_interval: 15m, warning_lists: [/etc/w/top-sites.txt, /etc/w/partners.txt], min_confidence: 25,\n"
                        "        retro_hunt_days: 7, syslog_listen: '0.0.0.0:6514', syslog_format: cef}\n", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->intel.pull_interval, std::chrono::minutes(15));
  EXPECT_EQ(c->intel.warning_lists, (std::vector<std::string>{"/etc/w/top-sites.txt", "/etc/w/partners.txt"}));
  EXPECT_EQ(c->intel.min_confidence, 25);
  EXPECT_EQ(c->intel.retro_hunt_days, 7);
  EXPECT_EQ(c->intel.syslog_listen, "0.0.0.0:6514");
  EXPECT_EQ(c->intel.syslog_format, "cef");
  EXPECT_FALSE(parse_config("intel: {syslog_listen: nowhere}\n", "t.yaml").ok());
  EXPECT_FALSE(parse_config("intel: {min_confidence: 101}\n", "t.yaml").ok());
  auto off = parse_config("intel: {pull_interval: off}\n", "t.yaml");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->intel.pull_interval.count(), 0);
  auto bad = parse_config("intel:\n  pull_interval: soon\n", "t.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("t.yaml:2:"), std::string::npos) << bad.error().message;
  auto not_list = parse_config("intel: {warning_lists: top.txt}\n", "t.yaml");
  ASSERT_FALSE(not_list.ok());
  EXPECT_NE(not_list.error().message.find("list of file paths"), std::string::npos);
}

}  // namespace
}  // namespace wardline
