// Indicator types and the canonical forms matching compares.
#include <arpa/inet.h>
#include <idn2.h>

#include <array>
#include <cstring>

#include "core/phone.h"
#include "core/strings.h"
#include "intel/intel.h"
#include "core/ip.h"
#include "intel/observed.h"

namespace wardline::intel {
namespace {

constexpr std::array<std::string_view, 10> kTypeNames = {"domain", "url",  "ipv4", "ipv6", "email",
                                                        "phone",  "sha256", "sha1", "md5",  "sender_id"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!ascii_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'f')) return false;
  return true;
}

Error invalid(std::string_view type, std::string_view raw, std::string why) {
  std::string shown(raw.substr(0, 80));
  return make_error("invalid_indicator", "not a valid " + std::string(type) + " '" + shown + "': " + why);
}

Result<std::string> normalize_host(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.starts_with("*.")) s.remove_prefix(2);  // wildcards: parent matching covers subdomains
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty()) return invalid("domain", raw, "empty");
  std::string host;
  if (is_ascii(s)) {
    host = ascii_lowercase(s);
  } else {
    std::string input(s);
    char* out = nullptr;
    int rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) return invalid("domain", raw, std::string("IDNA: ") + idn2_strerror(rc));
    host = out;
    idn2_free(out);
  }
  if (host.size() > 253) return invalid("domain", raw, "longer than 253 characters");
  if (host.find('.') == std::string::npos) return invalid("domain", raw, "needs at least two labels");
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return invalid("domain", raw, "empty label");
      label = 0;
      continue;
    }
    if (!ascii_alnum(c) && c != '-' && c != '_') return invalid("domain", raw, std::string("character '") + c + "' is not allowed in a host name");
    if (++label > 63) return invalid("domain", raw, "a label is longer than 63 characters");
  }
  if (label == 0) return invalid("domain", raw, "empty label");
  size_t tld = host.rfind('.') + 1;
  if (host.find_first_not_of("0123456789", tld) == std::string::npos)
    return invalid("domain", raw, "the last label is all digits (an IP address belongs in an ipv4 indicator)");
  return host;
}

Result<std::string> normalize_ip(IndicatorType type, std::string_view raw) {
  auto net = parse_ip_network(trim(raw));
  if (!net || (net->v6 != (type == IndicatorType::ipv6)))
    return invalid(type_name(type), raw, "expected an address, optionally with /prefix");
  return format_ip_network(*net);
}

bool unreserved(char c) { return ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
int hex_value(char c) { return ascii_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

// Path and query: percent-escapes uppercased, unreserved characters decoded,
// bytes that may not appear raw escaped, the fragment dropped.
std::string normalize_path(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '#') break;
    if (c == '%' && i + 2 < s.size() && is_hex(s.substr(i + 1, 2))) {
      char decoded = static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (unreserved(decoded)) {
        out += decoded;
      } else {
        out += '%';
        out += kHex[hex_value(s[i + 1])];
        out += kHex[hex_value(s[i + 2])];
      }
      i += 2;
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
      continue;
    }
    out += c;
  }
  if (out.empty() || out[0] != '/') out.insert(out.begin(), '/');
  return out;
}

Result<std::string> normalize_url(std::string_view raw) {
  std::string_view s = trim(raw);
  std::string scheme = "http";
  if (size_t sep = s.find("://"); sep != std::string_view::npos) {
    scheme = ascii_lowercase(s.substr(0, sep));
    if (scheme.empty() || !ascii_alpha(scheme[0])) return invalid("url", raw, "the scheme must start with a letter");
    for (char c : scheme)
      if (!ascii_alnum(c) && c != '+' && c != '-' && c != '.') return invalid("url", raw, "bad character in the scheme");
    s.remove_prefix(sep + 3);
  }
  size_t end = authority_end(s);
  std::string_view authority = s.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("url", raw, "unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return invalid("url", raw, "junk after the IPv6 host");
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  for (char c : port)
    if (!ascii_digit(c)) return invalid("url", raw, "the port must be a number");
  if (port.size() > 5) return invalid("url", raw, "the port is out of range");
  std::string canonical_host;
  if (auto ip = parse_ip_network(host); ip && ip->prefix == (ip->v6 ? 128 : 32)) {
    canonical_host = ip->v6 ? "[" + format_ip_network(*ip) + "]" : format_ip_network(*ip);
  } else {
    auto h = normalize_host(host);
    if (!h) return invalid("url", raw, h.error().message);
    canonical_host = *h;
  }
  while (port.size() > 1 && port[0] == '0') port.remove_prefix(1);
  bool default_port = port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") ||
                      (scheme == "ftp" && port == "21");
  std::string out = scheme + "://" + canonical_host;
  if (!default_port) out += ":" + std::string(port);
  out += normalize_path(rest);
  return out;
}

Result<std::string> normalize_email(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.starts_with("mailto:")) s.remove_prefix(7);
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0) return invalid("email", raw, "expected local-part@domain");
  std::string_view local = s.substr(0, at);
  for (char c : local)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == ',')
      return invalid("email", raw, "the local part has a character addresses cannot have");
  auto domain = normalize_host(s.substr(at + 1));
  if (!domain) return invalid("email", raw, domain.error().message);
  return ascii_lowercase(local) + "@" + *domain;
}

Result<std::string> normalize_hash(IndicatorType type, std::string_view raw) {
  std::string_view s = trim(raw);
  size_t want = type == IndicatorType::sha256 ? 64 : type == IndicatorType::sha1 ? 40 : 32;
  if (s.size() != want || !is_hex(s))
    return invalid(type_name(type), raw, std::to_string(want) + " hexadecimal digits expected");
  return ascii_lowercase(s);
}

Result<std::string> normalize_sender_id(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty() || s.size() > 16) return invalid("sender_id", raw, "1 to 16 characters expected");
  for (char c : s)
    if (!ascii_alnum(c) && c != ' ' && c != '-' && c != '.' && c != '_' && c != '&')
      return invalid("sender_id", raw, "sender IDs are letters, digits, spaces and - . _ &");
  return ascii_lowercase(s);
}

}  // namespace

std::string_view type_name(IndicatorType type) { return kTypeNames[static_cast<size_t>(type)]; }

std::optional<IndicatorType> parse_type(std::string_view name) {
  for (size_t i = 0; i < kTypeNames.size(); ++i)
    if (kTypeNames[i] == name) return static_cast<IndicatorType>(i);
  return std::nullopt;
}

Result<std::string> normalize(IndicatorType type, std::string_view raw, std::string_view phone_region) {
  switch (type) {
    case IndicatorType::domain: return normalize_host(raw);
    case IndicatorType::url: return normalize_url(raw);
    case IndicatorType::ipv4:
    case IndicatorType::ipv6: return normalize_ip(type, raw);
    case IndicatorType::email: return normalize_email(raw);
    case IndicatorType::phone: {
      auto e164 = to_e164(trim(raw), phone_region);
      if (!e164) return invalid("phone", raw, "not a phone number (E.164 or national with region " + std::string(phone_region) + ")");
      return *e164;
    }
    case IndicatorType::sha256:
    case IndicatorType::sha1:
    case IndicatorType::md5: return normalize_hash(type, raw);
    case IndicatorType::sender_id: return normalize_sender_id(raw);
  }
  return invalid("indicator", raw, "unknown type");
}

std::string refang(std::string_view defanged) {
  std::string url(defanged);
  for (size_t p; (p = url.find("[.]")) != std::string::npos;) url.replace(p, 3, ".");
  if (url.starts_with("hxxp")) url.replace(0, 4, "http");
  return url;
}

std::optional<IndicatorType> guess_type(std::string_view raw) {
  std::string_view s = trim(raw);
  if (s.empty()) return std::nullopt;
  if (s.find("://") != std::string_view::npos) return IndicatorType::url;
  if (auto ip = parse_ip_network(s)) return ip->v6 ? IndicatorType::ipv6 : IndicatorType::ipv4;
  if (s.find('@') != std::string_view::npos) return IndicatorType::email;
  if (is_hex(s)) {
    if (s.size() == 64) return IndicatorType::sha256;
    if (s.size() == 40) return IndicatorType::sha1;
    if (s.size() == 32) return IndicatorType::md5;
  }
  if (s[0] == '+' && s.size() > 6 && s.find_first_not_of("+0123456789 -") == std::string_view::npos) return IndicatorType::phone;
  if (s.find('/') != std::string_view::npos) return IndicatorType::url;
  if (s.find('.') != std::string_view::npos) return IndicatorType::domain;
  return std::nullopt;
}

}  // namespace wardline::intel
