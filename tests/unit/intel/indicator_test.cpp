#include <gtest/gtest.h>

#include "intel/intel.h"

namespace wardline::intel {
namespace {

std::string norm(IndicatorType t, std::string_view v) {
  auto r = normalize(t, v);
  return r ? *r : "ERROR: " + r.error().message;
}

TEST(Normalize, Domains) {
  EXPECT_EQ(norm(IndicatorType::domain, " Login.Example.COM. "), "login.example.com");
  EXPECT_EQ(norm(IndicatorType::domain, "*.evil.example"), "evil.example");
  EXPECT_EQ(norm(IndicatorType::domain, "bücher.de"), "xn--bcher-kva.de");
  EXPECT_EQ(norm(IndicatorType::domain, "ЕРІС.com"), "xn--e1awd7f.com");  // Cyrillic look-alike of EPIC
  EXPECT_NE(norm(IndicatorType::domain, "exa mple.com").find("character ' '"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::domain, "localhost").find("two labels"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::domain, "a..b.com").find("empty label"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::domain, "10.0.0.1").find("all digits"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::domain, std::string(64, 'a') + ".com").find("63"), std::string::npos);
}

TEST(Normalize, Urls) {
  EXPECT_EQ(norm(IndicatorType::url, "HTTP://Example.COM:80/a/%7euser/%2fx?q=%3a#frag"), "http://example.com/a/~user/%2Fx?q=%3A");
  EXPECT_EQ(norm(IndicatorType::url, "https://evil.example:443"), "https://evil.example/");
  EXPECT_EQ(norm(IndicatorType::url, "https://evil.example:8443/x"), "https://evil.example:8443/x");
  EXPECT_EQ(norm(IndicatorType::url, "evil.example/login"), "http://evil.example/login");
  EXPECT_EQ(norm(IndicatorType::url, "http://epic.com@evil.example/"), "http://evil.example/");
  EXPECT_EQ(norm(IndicatorType::url, "http://[2001:DB8::1]:8080/x"), "http://[2001:db8::1]:8080/x");
  EXPECT_EQ(norm(IndicatorType::url, "http://198.51.100.7/a b"), "http://198.51.100.7/a%20b");
  EXPECT_EQ(norm(IndicatorType::url, "http://bücher.de/ü"), "http://xn--bcher-kva.de/%C3%BC");
  EXPECT_NE(norm(IndicatorType::url, "http://evil.example:80x/").find("port"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::url, "http://[::1/").find("unclosed"), std::string::npos);
}

TEST(Normalize, AddressesAndNetworks) {
  EXPECT_EQ(norm(IndicatorType::ipv4, "10.0.0.5/8"), "10.0.0.0/8");
  EXPECT_EQ(norm(IndicatorType::ipv4, "203.0.113.33/32"), "203.0.113.33");
  EXPECT_EQ(norm(IndicatorType::ipv6, "2001:0db8:dead:beef:0000:0000:0000:0000/64"), "2001:db8:dead:beef::/64");
  EXPECT_EQ(norm(IndicatorType::ipv6, "FE80:0000:0000:0000:0202:B3FF:FE1E:8329"), "fe80::202:b3ff:fe1e:8329");
  EXPECT_NE(norm(IndicatorType::ipv4, "2001:db8::1").find("not a valid ipv4"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::ipv4, "256.1.1.1").find("not a valid"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::ipv4, "1.2.3.4/33").find("not a valid"), std::string::npos);
  EXPECT_NE(norm(IndicatorType::ipv4, "1.2.3.4/").find("not a valid"), std::string::npos);
}

TEST(Normalize, OtherTypes) {
  EXPECT_EQ(norm(IndicatorType::email, "IT.Helpdesk@Evil.EXAMPLE"), "it.helpdesk@evil.example");
  EXPECT_NE(norm(IndicatorType::email, "@evil.example").find("local-part@domain"), std::string::npos);
  EXPECT_EQ(norm(IndicatorType::sha256, "EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C"),
            "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
  EXPECT_NE(norm(IndicatorType::md5, "abc").find("32 hexadecimal"), std::string::npos);
  EXPECT_EQ(norm(IndicatorType::phone, "(415) 555-0123"), "+14155550123");
  EXPECT_NE(norm(IndicatorType::phone, "call me").find("not a phone"), std::string::npos);
  EXPECT_EQ(norm(IndicatorType::sender_id, "USPS-Info"), "usps-info");
  EXPECT_NE(norm(IndicatorType::sender_id, "waytoolongsenderidentifier").find("1 to 16"), std::string::npos);
}

TEST(Normalize, GuessType) {
  EXPECT_EQ(guess_type("http://x.example/"), IndicatorType::url);
  EXPECT_EQ(guess_type("8.8.8.8"), IndicatorType::ipv4);
  EXPECT_EQ(guess_type("10.0.0.0/8"), IndicatorType::ipv4);
  EXPECT_EQ(guess_type("2001:db8::/32"), IndicatorType::ipv6);
  EXPECT_EQ(guess_type("a@b.example"), IndicatorType::email);
  EXPECT_EQ(guess_type(std::string(64, 'a')), IndicatorType::sha256);
  EXPECT_EQ(guess_type(std::string(40, 'b')), IndicatorType::sha1);
  EXPECT_EQ(guess_type(std::string(32, 'c')), IndicatorType::md5);
  EXPECT_EQ(guess_type("+14155550123"), IndicatorType::phone);
  EXPECT_EQ(guess_type("evil.example"), IndicatorType::domain);
  EXPECT_EQ(guess_type("evil.example/path"), IndicatorType::url);
  EXPECT_EQ(guess_type("word"), std::nullopt);
  EXPECT_EQ(parse_type("ipv6"), IndicatorType::ipv6);
  EXPECT_EQ(type_name(IndicatorType::sender_id), "sender_id");
}

}  // namespace
}  // namespace wardline::intel

#include "intel/observed.h"

namespace wardline::intel {
namespace {

// The one-pass host extraction agrees with the two-step one on every shape.
TEST(ObservedValues, UrlHostInOnePassAgreesWithTheTwoStepForm) {
  for (std::string url : {"http://www.example.com/x", "https://Login.Example.COM:8443/a?b", "http://a.example.", "host.example:443",
                          "http://user:pw@evil.example/", "http://[2001:db8::1]:80/", "ftp://files.example", "evil.example/path",
                          "http://bücher.de/", "http://a.example?x", "http://a.example#f", "", "://", "http://", "HTTP://X.EXAMPLE"}) {
    std::string b1, b2;
    std::string one(canonical_url_host(url, b1));
    std::string two(canonical_host(host_of_url(url), b2));
    EXPECT_EQ(one, two) << url;
  }
}

}  // namespace
}  // namespace wardline::intel
