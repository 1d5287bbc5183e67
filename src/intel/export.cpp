// Block lists from the indicator set:
//   rpz        DNS Response Policy Zone (draft-vixie-dnsop-dns-rpz, as BIND
//              loads it): domains and their subdomains answer NXDOMAIN,
//              IP networks are rpz-ip triggers on answers.
//   domains    one domain per line.
//   squid-acl  a dstdomain file: ".example.com" covers the subdomains; a
//              domain under another listed one is left out (Squid warns).
//   stix       a STIX 2.1 bundle of indicator objects, TLP:GREEN, for
//              sharing with affiliates.
// Only indicator values and their provenance leave: the set holds no
// reports, reporters or message text, and internal addresses (RFC 1918,
// loopback, link-local, ...) are dropped from every export.
#include <algorithm>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/time.h"
#include "intel/intel.h"
#include "core/ip.h"

namespace wardline::intel {
namespace {

constexpr std::string_view kStixNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7";
constexpr std::string_view kTlpGreen = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";

bool internal_ip(IndicatorType type, std::string_view value) {
  if (type != IndicatorType::ipv4 && type != IndicatorType::ipv6) return false;
  auto net = parse_ip_network(value);
  return !net || is_internal(*net);
}

// "8.0.0.0.127.rpz-ip" for 127.0.0.0/8; IPv6 groups reversed, "zz" for "::".
std::string rpz_ip_owner(const IpNetwork& net) {
  std::string out = std::to_string(net.prefix);
  if (!net.v6) {
    for (int i = 3; i >= 0; --i) out += "." + std::to_string(net.bytes[static_cast<size_t>(i)]);
    return out + ".rpz-ip";
  }
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>(net.bytes[static_cast<size_t>(2 * i)] << 8 | net.bytes[static_cast<size_t>(2 * i + 1)]);
  // The longest run of two or more zero groups becomes "zz", as in "::".
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  char hex[8];
  for (int i = 7; i >= 0; --i) {
    if (best >= 0 && i >= best && i < best + best_len) {
      if (i == best) out += ".zz";
      continue;
    }
    std::snprintf(hex, sizeof hex, "%x", groups[i]);
    out += ".";
    out += hex;
  }
  return out + ".rpz-ip";
}

std::string export_rpz(const IndicatorSet& set, const ExportOptions& o) {
  std::string body;
  size_t domains = 0, networks = 0, skipped = 0;
  set.for_each([&](IndicatorType type, std::string_view value, const Provenance&) {
    if (type == IndicatorType::domain) {
      if (value.size() + 2 + o.zone.size() > 253) {
        ++skipped;  // the owner name would exceed DNS's 255-octet limit
        return;
      }
      body.append(value).append(" CNAME .\n*.").append(value).append(" CNAME .\n");
      ++domains;
    } else if ((type == IndicatorType::ipv4 || type == IndicatorType::ipv6) && !internal_ip(type, value)) {
      auto net = parse_ip_network(value);
      body.append(rpz_ip_owner(*net)).append(" CNAME .\n");
      ++networks;
    } else {
      ++skipped;  // URLs, e-mail addresses, phones and hashes have no DNS trigger
    }
  });
  std::string serial = std::to_string(o.now > 0 ? o.now : unix_now());
  std::string out = "; Wardline threat-intelligence response policy zone, generated " + to_rfc3339(o.now > 0 ? o.now : unix_now()) +
                    "\n; " + std::to_string(domains) + " domains (and their subdomains) -> NXDOMAIN, " +
                    std::to_string(networks) + " IP networks (rpz-ip), " + std::to_string(skipped) +
                    " indicators without a DNS trigger left out.\n"
                    "; Load it in BIND with: zone \"" + o.zone + "\" { type primary; file \"...\"; };\n"
                    ";                       response-policy { zone \"" + o.zone + "\"; };\n"
                    "$TTL 300\n"
                    "@ IN SOA localhost. hostmaster.localhost. ( " + serial + " 3600 600 86400 300 )\n"
                    "@ IN NS localhost.\n";
  return out + body;
}

std::string export_domains(const IndicatorSet& set) {
  std::string out;
  set.for_each([&](IndicatorType type, std::string_view value, const Provenance&) {
    if (type == IndicatorType::domain) out.append(value).append("\n");
  });
  return out;
}

std::string export_squid_acl(const IndicatorSet& set) {
  std::vector<std::string> domains;
  set.for_each([&](IndicatorType type, std::string_view value, const Provenance&) {
    if (type == IndicatorType::domain) domains.emplace_back(value);
  });
  std::unordered_set<std::string_view> listed(domains.begin(), domains.end());
  std::string out =
      "# Wardline threat intelligence: Squid dstdomain ACL. In squid.conf:\n"
      "#   acl wardline_intel dstdomain \"/etc/squid/wardline-intel.acl\"\n"
      "#   http_access deny wardline_intel\n";
  for (const auto& d : domains) {
    bool covered = false;
    for (size_t dot = d.find('.'); dot != std::string::npos && !covered; dot = d.find('.', dot + 1))
      covered = listed.count(std::string_view(d).substr(dot + 1)) > 0;
    if (!covered) out.append(".").append(d).append("\n");
  }
  return out;
}

std::string stix_quote(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string stix_pattern(IndicatorType type, std::string_view value) {
  switch (type) {
    case IndicatorType::domain: return "[domain-name:value = " + stix_quote(value) + "]";
    case IndicatorType::url: return "[url:value = " + stix_quote(value) + "]";
    case IndicatorType::ipv4: return "[ipv4-addr:value = " + stix_quote(value) + "]";
    case IndicatorType::ipv6: return "[ipv6-addr:value = " + stix_quote(value) + "]";
    case IndicatorType::email: return "[email-addr:value = " + stix_quote(value) + "]";
    case IndicatorType::sha256: return "[file:hashes.'SHA-256' = " + stix_quote(value) + "]";
    case IndicatorType::sha1: return "[file:hashes.'SHA-1' = " + stix_quote(value) + "]";
    case IndicatorType::md5: return "[file:hashes.MD5 = " + stix_quote(value) + "]";
    case IndicatorType::phone:
    case IndicatorType::sender_id: return {};  // STIX 2.1 has no SMS sender object
  }
  return {};
}

std::string export_stix(const IndicatorSet& set, const ExportOptions& o) {
  int64_t now = o.now > 0 ? o.now : unix_now();
  std::string created = to_rfc3339(now);
  std::string identity = "identity--" + uuid_v5(kStixNamespace, "identity:" + o.identity);
  nlohmann::ordered_json objects = nlohmann::ordered_json::array();
  objects.push_back({{"type", "identity"},
                     {"spec_version", "2.1"},
                     {"id", identity},
                     {"created", created},
                     {"modified", created},
                     {"name", o.identity},
                     {"identity_class", "organization"}});
  objects.push_back({{"type", "marking-definition"},
                     {"spec_version", "2.1"},
                     {"id", kTlpGreen},
                     {"created", "2017-01-20T00:00:00.000Z"},
                     {"definition_type", "tlp"},
                     {"name", "TLP:GREEN"},
                     {"definition", {{"tlp", "green"}}}});
  set.for_each([&](IndicatorType type, std::string_view value, const Provenance& p) {
    std::string pattern = stix_pattern(type, value);
    if (pattern.empty() || internal_ip(type, value)) return;
    nlohmann::ordered_json ind = {
        {"type", "indicator"},
        {"spec_version", "2.1"},
        {"id", "indicator--" + uuid_v5(kStixNamespace, std::string(type_name(type)) + ":" + std::string(value))},
        {"created_by_ref", identity},
        {"created", created},
        {"modified", created},
        {"name", std::string(type_name(type)) + " " + std::string(value)},
        {"indicator_types", {"malicious-activity"}},
        {"pattern", pattern},
        {"pattern_type", "stix"},
        {"pattern_version", "2.1"},
        {"valid_from", to_rfc3339(p.valid_from > 0 ? p.valid_from : now)},
        {"confidence", p.confidence},
        {"object_marking_refs", {kTlpGreen}}};
    if (p.valid_until > (p.valid_from > 0 ? p.valid_from : now)) ind["valid_until"] = to_rfc3339(p.valid_until);
    if (!p.labels.empty()) ind["labels"] = p.labels;
    objects.push_back(std::move(ind));
  });
  nlohmann::ordered_json bundle = {{"type", "bundle"},
                                   {"id", "bundle--" + uuid_v5(kStixNamespace, "bundle:" + o.identity + ":" + created)},
                                   {"objects", std::move(objects)}};
  return bundle.dump(1) + "\n";
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "rpz") return ExportFormat::rpz;
  if (name == "stix") return ExportFormat::stix;
  if (name == "domains") return ExportFormat::domains;
  if (name == "squid-acl") return ExportFormat::squid_acl;
  return std::nullopt;
}

std::string export_indicators(const IndicatorSet& set, ExportFormat format, const ExportOptions& options) {
  switch (format) {
    case ExportFormat::rpz: return export_rpz(set, options);
    case ExportFormat::stix: return export_stix(set, options);
    case ExportFormat::domains: return export_domains(set);
    case ExportFormat::squid_acl: return export_squid_acl(set);
  }
  return {};
}

}  // namespace wardline::intel
