#include "intel/observed.h"

#include "core/strings.h"
#include "intel/intel.h"

namespace wardline::intel {

bool looks_like_ip(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  if (host.empty() || !ascii_digit(host.back())) return false;
  for (char c : host)
    if (!ascii_digit(c) && c != '.') return false;
  return true;
}

std::string_view host_of_url(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, authority_end(url));
  if (size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (url.starts_with('[')) return url.substr(1, url.find(']') - 1);
  if (size_t colon = url.rfind(':'); colon != std::string_view::npos && url.find(':') == colon) url = url.substr(0, colon);
  if (!url.empty() && url.back() == '.') url.remove_suffix(1);
  return url;
}

std::string_view canonical_host(std::string_view host, std::string& buf) {
  if (host.starts_with('[')) host = host.substr(1, host.find(']') - 1);
  else if (size_t colon = host.rfind(':'); colon != std::string_view::npos && host.find(':') == colon)
    host = host.substr(0, colon);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  bool lower = true, ascii = true;
  for (char c : host) {
    if (c >= 'A' && c <= 'Z') lower = false;
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
  }
  if (lower && ascii) return host;
  if (ascii) {
    buf.assign(host);
    for (char& c : buf) c = ascii_lower(c);
    return buf;
  }
  auto n = normalize(IndicatorType::domain, host);
  if (!n) return {};
  buf = std::move(*n);
  return buf;
}

std::string_view canonical_url_host(std::string_view url, std::string& buf) {
  // The scheme, if any, ends within the first few bytes.
  size_t i = 0;
  for (size_t k = 0; k < url.size() && k < 16; ++k) {
    char c = url[k];
    if (c == ':') {
      if (k + 2 < url.size() && url[k + 1] == '/' && url[k + 2] == '/') i = k + 3;
      break;
    }
    if (!ascii_alnum(c) && c != '+' && c != '-' && c != '.') break;
  }
  size_t start = i, colon = std::string_view::npos;
  bool simple = true;  // lowercase ASCII, no userinfo, no IPv6 brackets
  for (; i < url.size(); ++i) {
    char c = url[i];
    if (c == '/' || c == '?' || c == '#') break;
    if (c == ':' && colon == std::string_view::npos) colon = i;
    else if ((c >= 'A' && c <= 'Z') || c == '@' || c == '[' || c == ':' || static_cast<unsigned char>(c) >= 0x80) simple = false;
  }
  if (!simple) return canonical_host(host_of_url(url), buf);
  std::string_view host = url.substr(start, (colon == std::string_view::npos ? i : colon) - start);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host;
}

std::string_view canonical_url(std::string_view url, std::string& buf) {
  size_t scheme = url.find("://");
  bool canonical = scheme != std::string_view::npos;
  for (size_t i = 0; canonical && i < url.size(); ++i) {
    auto c = static_cast<unsigned char>(url[i]);
    if (c <= 0x20 || c >= 0x7f || c == '%' || c == '#' || (i < scheme && c >= 'A' && c <= 'Z')) canonical = false;
  }
  if (canonical) {
    size_t host_start = scheme + 3, host_end = authority_end(url, host_start);
    if (host_end == std::string_view::npos) canonical = false;  // the path "/" is missing
    for (size_t i = host_start; canonical && i < host_end; ++i)
      if ((url[i] >= 'A' && url[i] <= 'Z') || url[i] == ':' || url[i] == '@' || url[i] == '[') canonical = false;
    if (canonical && url[host_end] != '/') canonical = false;  // '?' right after the host, or a fragment
  }
  if (canonical) return url;
  auto n = normalize(IndicatorType::url, url);
  if (!n) return {};
  buf = std::move(*n);
  return buf;
}

}  // namespace wardline::intel
