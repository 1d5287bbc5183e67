// Zeek TSV logs, driven by their own header: '#separator' (an escape such as
// \x09), '#set_separator', '#unset_field', '#empty_field' and '#fields' say
// how to read the data lines. Any log with these columns works (conn, dns,
// http, ssl, files, ...):
//   id.orig_h       the client (not matched: it names who to alert about)
//   id.resp_h       destination IP
//   query           DNS question (dns.log); answers: resolved addresses and CNAMEs
//   host + uri      HTTP Host header and path (http.log): the URL is http://host/uri
//   referrer        full URL of the referring page
//   server_name     TLS SNI (ssl.log)
//   md5 sha1 sha256 file hashes (files.log)
#include <string>
#include <vector>

#include "intel/logs/parsers.h"
#include "intel/observed.h"

namespace wardline::intel {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

// "\x09" -> tab; anything else as written.
std::string unescape_separator(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hex_digit(s[i + 2]) >= 0 && hex_digit(s[i + 3]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 2]) * 16 + hex_digit(s[i + 3]));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

enum Column { kTs, kOrigH, kRespH, kQuery, kAnswers, kHost, kUri, kReferrer, kServerName, kMd5, kSha1, kSha256, kColumns };
constexpr std::string_view kColumnNames[kColumns] = {"ts", "id.orig_h", "id.resp_h", "query", "answers", "host", "uri",
                                                     "referrer", "server_name", "md5", "sha1", "sha256"};

class ZeekParser final : public LogParser {
 public:
  LineResult parse(std::string_view line, LogRecord& out) override {
    if (line.empty()) return LineResult::skip;
    if (line[0] == '#') return header(line);
    if (names_.empty()) return fail("data before the '#fields' header: Zeek TSV logs start with their header lines");
    split(line, fields_);
    if (fields_.size() != names_.size())
      return fail("expected " + std::to_string(names_.size()) + " fields as '#fields' says, found " + std::to_string(fields_.size()));
    out.observed.clear();
    out.timestamp = at(kTs);
    out.client = at(kOrigH);
    add(out, kRespH, ObservedKind::ip);
    add(out, kQuery, ObservedKind::host);
    add(out, kServerName, ObservedKind::host);
    add(out, kReferrer, ObservedKind::url);
    add(out, kMd5, ObservedKind::hash);
    add(out, kSha1, ObservedKind::hash);
    add(out, kSha256, ObservedKind::hash);
    std::string_view host = at(kHost);
    if (!host.empty()) {
      std::string_view uri = at(kUri);
      url_.assign("http://").append(host).append(uri.empty() || uri[0] != '/' ? "/" : "").append(uri);
      out.observed.push_back({"host+uri", ObservedKind::url, url_});
    }
    // answers is a set: addresses, CNAME targets, "RRSIG ..." strings.
    std::string_view answers = at(kAnswers);
    while (!answers.empty()) {
      size_t comma = answers.find(set_separator_);
      std::string_view a = answers.substr(0, comma);
      if (!a.empty() && a.find(' ') == std::string_view::npos)
        out.observed.push_back({"answers", looks_like_ip(a) ? ObservedKind::ip : ObservedKind::host, a});
      if (comma == std::string_view::npos) break;
      answers.remove_prefix(comma + set_separator_.size());
    }
    return out.observed.empty() ? LineResult::skip : LineResult::record;
  }

  const std::string& error() const override { return error_; }

 private:
  LineResult header(std::string_view line) {
    // "#separator" is followed by a space; every other header line uses the separator.
    if (line.starts_with("#separator ")) {
      std::string separator = unescape_separator(line.substr(11));
      if (separator.empty()) return fail("'#separator' is empty; the previous separator stays");
      separator_ = std::move(separator);
      return LineResult::skip;
    }
    size_t sep = line.find(separator_);
    std::string_view key = line.substr(0, sep);
    std::string_view value = sep == std::string_view::npos ? std::string_view{} : line.substr(sep + separator_.size());
    if (key == "#set_separator") {
      std::string_view set_separator = value.substr(0, value.find(separator_));
      set_separator_ = set_separator.empty() ? "," : std::string(set_separator);
    } else if (key == "#unset_field") {
      unset_ = std::string(value.substr(0, value.find(separator_)));
    } else if (key == "#empty_field") {
      empty_ = std::string(value.substr(0, value.find(separator_)));
    } else if (key == "#fields") {
      std::vector<std::string_view> names;
      split(value, names);
      names_.assign(names.begin(), names.end());
      for (int c = 0; c < kColumns; ++c) {
        index_[c] = -1;
        for (size_t i = 0; i < names_.size(); ++i)
          if (names_[i] == kColumnNames[c]) index_[c] = static_cast<int>(i);
      }
    }
    return LineResult::skip;
  }

  void split(std::string_view line, std::vector<std::string_view>& out) const {
    out.clear();
    for (size_t start = 0;;) {
      size_t end = line.find(separator_, start);
      out.push_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      if (end == std::string_view::npos) break;
      start = end + separator_.size();
    }
  }

  std::string_view at(int column) const {
    int i = index_[column];
    if (i < 0) return {};
    std::string_view v = fields_[static_cast<size_t>(i)];
    return v == unset_ || v == empty_ ? std::string_view{} : v;
  }

  void add(LogRecord& out, int column, ObservedKind kind) {
    std::string_view v = at(column);
    if (!v.empty()) out.observed.push_back({kColumnNames[column], kind, v});
  }

  LineResult fail(std::string why) {
    error_ = std::move(why);
    return LineResult::malformed;
  }

  std::string separator_ = "\t", set_separator_ = ",", unset_ = "-", empty_ = "(empty)";
  std::vector<std::string> names_;
  int index_[kColumns] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  std::vector<std::string_view> fields_;
  std::string url_;
  std::string error_;
};

}  // namespace

std::unique_ptr<LogParser> make_zeek_parser() { return std::make_unique<ZeekParser>(); }

}  // namespace wardline::intel
