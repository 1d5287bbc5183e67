#include <algorithm>
#include <cctype>
#include <set>

#include "core/strings.h"
#include "smish/smish.h"
#include "smish/tokens.h"

namespace wardline::smish {

std::vector<std::string_view> split_chunks(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

bool known_tld(std::string_view tld) {
  static const std::set<std::string, std::less<>> tlds = {
      "com", "net", "org", "info", "biz", "io", "co", "me", "us", "uk", "ly", "ru", "cn", "xyz", "top", "online",
      "site", "club", "app", "link", "live", "shop", "store", "click", "vip", "icu", "win", "tk", "ml", "ga", "cf",
      "gq", "pw", "cc", "ws", "tv", "gov", "edu", "mobi", "work", "support", "services", "help", "cloud", "digital",
      "page", "sbs", "cfd", "bond", "buzz", "rest", "fun", "space", "website", "life", "today", "world", "email",
      "health", "care", "bank", "finance", "money", "pay", "cash", "delivery", "express", "ai", "in", "de", "fr",
      "es", "it", "nl", "ca", "au", "ph", "id", "my", "sg", "za", "ng", "br", "mx", "ar", "pl", "se", "no", "fi",
      "dk", "ie", "be", "ch", "at", "pt", "gr", "tr", "il", "jp", "kr", "hk", "tw", "vn", "th", "pk", "bd", "ke",
      "eu", "asia", "ly", "gl", "gd", "to", "su", "ua", "by", "kz", "ro", "cz", "hu", "sk", "nz", "lk", "np"};
  return tlds.count(ascii_lowercase(tld)) > 0;
}

namespace {

// UTF-8 bytes are host characters too: internationalised (IDN) look-alikes.
bool host_char(char c) { return ascii_alnum(c) || c == '-' || c == '.' || static_cast<unsigned char>(c) >= 0x80; }

bool ipv4(std::string_view h) {
  int parts = 0;
  size_t i = 0;
  while (i < h.size()) {
    size_t start = i;
    while (i < h.size() && ascii_digit(h[i])) ++i;
    if (i == start || i - start > 3) return false;
    ++parts;
    if (i < h.size() && h[i] != '.') return false;
    if (i < h.size()) ++i;
  }
  return parts == 4;
}

}  // namespace

bool parse_link(std::string_view chunk, Link& out) {
  // Strip wrapping punctuation: (https://x.y). "x.y," <x.y>
  while (!chunk.empty() && std::string_view("([<\"'").find(chunk.front()) != std::string_view::npos) chunk.remove_prefix(1);
  while (!chunk.empty() && std::string_view(".,;:!?)]>\"'").find(chunk.back()) != std::string_view::npos) chunk.remove_suffix(1);
  if (chunk.size() < 4) return false;
  std::string lower = ascii_lowercase(chunk);
  size_t host_start = 0;
  bool has_scheme = false;
  if (lower.rfind("http://", 0) == 0) host_start = 7, has_scheme = true;
  else if (lower.rfind("https://", 0) == 0) host_start = 8, has_scheme = true;
  size_t host_end = host_start;
  while (host_end < lower.size() && host_char(lower[host_end])) ++host_end;
  std::string host = lower.substr(host_start, host_end - host_start);
  while (!host.empty() && (host.back() == '.' || host.back() == '-')) host.pop_back();
  if (host_end < lower.size() && std::string_view("/?#:").find(lower[host_end]) == std::string_view::npos && !has_scheme)
    return false;  // e.g. "a.b@c": not a link
  size_t dot = host.rfind('.');
  if (dot == std::string::npos || dot == 0) return false;
  out.is_ip = ipv4(host);
  if (!out.is_ip) {
    std::string_view tld = std::string_view(host).substr(dot + 1);
    bool alpha = !tld.empty() && std::all_of(tld.begin(), tld.end(), ::isalpha);
    if (!alpha || (!has_scheme && !known_tld(tld) && host.rfind("www.", 0) != 0)) return false;
  } else if (!has_scheme && lower.find('/') == std::string::npos) {
    return false;  // a bare dotted quad without a path is more likely a version or amount
  }
  out.host = host;
  out.url = has_scheme ? std::string(chunk) : "http://" + std::string(chunk);
  return true;
}

Extracted extract(std::string_view text) {
  Extracted ex;
  for (auto chunk : split_chunks(text)) {
    Link link;
    if (chunk.find('@') != std::string_view::npos && chunk.find("://") == std::string_view::npos) {
      std::string_view c = chunk;
      while (!c.empty() && std::string_view(".,;:!?)]>\"'").find(c.back()) != std::string_view::npos) c.remove_suffix(1);
      size_t at = c.find('@');
      Link domain;
      if (at > 0 && parse_link(c.substr(at + 1), domain)) {
        ex.emails.emplace_back(c);
        continue;
      }
    }
    if (parse_link(chunk, link)) {
      ex.urls.push_back(link.url);
      if (std::find(ex.domains.begin(), ex.domains.end(), link.host) == ex.domains.end()) ex.domains.push_back(link.host);
    }
  }
  // Phone numbers and short codes: runs of digits with +, spaces, dashes, dots, parentheses.
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isdigit(c) && c != '+') {
      ++i;
      continue;
    }
    size_t start = i;
    std::string digits;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || std::string_view("+ -().").find(text[i]) != std::string_view::npos)) {
      if (std::isdigit(static_cast<unsigned char>(text[i]))) digits.push_back(text[i]);
      ++i;
    }
    bool glued = start > 0 && std::isalpha(static_cast<unsigned char>(text[start - 1]));
    if (digits.size() >= 5 && digits.size() <= 15 && !glued) ex.phones.push_back(digits);
    if (i == start) ++i;
  }
  return ex;
}

std::string defang(std::string_view url) {
  std::string out;
  for (size_t i = 0; i < url.size(); ++i) {
    if (i + 4 <= url.size() && (url.substr(i, 4) == "http" || url.substr(i, 4) == "HTTP")) {
      out += url[i] == 'h' ? "hxxp" : "HXXP";
      i += 3;
    } else if (url[i] == '.') {
      out += "[.]";
    } else {
      out.push_back(url[i]);
    }
  }
  return out;
}

}  // namespace wardline::smish

namespace wardline::smish {

std::string defang_text(std::string_view text) {
  std::string norm = normalize(text), out;
  for (auto chunk : split_chunks(norm)) {
    Link link;
    if (!out.empty()) out.push_back(' ');
    out += parse_link(chunk, link) ? defang(chunk) : std::string(chunk);
  }
  return out;
}

}  // namespace wardline::smish
