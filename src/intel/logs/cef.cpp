// ArcSight CEF, with or without a syslog prefix:
//   CEF:Version|Vendor|Product|Version|Signature ID|Name|Severity|key=value ...
// Header fields escape '|' and '\'; extension values escape '=' and '\' and
// may contain spaces, so a value ends only where the next "key=" starts.
//   dst, destinationTranslatedAddress   destination IP
//   c6a3 (labelled Destination IPv6)    destination IPv6
//   dhost                               destination host
//   request                             URL
//   fileHash                            file hash
//   rt (else end, start)                time
#include <array>
#include <string>

#include "core/strings.h"
#include "intel/logs/parsers.h"
#include "intel/observed.h"

namespace wardline::intel {
namespace {

enum Key { kSrc, kDst, kTranslated, kC6a3, kC6a3Label, kDhost, kRequest, kFileHash, kRt, kEnd, kStart, kKeys };
constexpr std::array<std::string_view, kKeys> kKeyNames = {"src", "dst",  "destinationTranslatedAddress", "c6a3", "c6a3Label",
                                                           "dhost", "request", "fileHash", "rt", "end", "start"};

bool key_char(char c) { return ascii_alnum(c) || c == '_' || c == '.' || c == '[' || c == ']'; }

// Length of "key=" starting at `i`, or 0 when none starts there.
size_t key_at(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && key_char(s[j])) ++j;
  return j > i && j < s.size() && s[j] == '=' ? j - i : 0;
}

class CefParser final : public LogParser {
 public:
  LineResult parse(std::string_view line, LogRecord& out) override {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return LineResult::skip;
    size_t cef = line.find("CEF:");
    if (cef == std::string_view::npos) return fail("no 'CEF:' header in this line");
    std::string_view rest = line.substr(cef);
    // Seven unescaped '|' end the header.
    size_t pipes = 0, i = 0;
    for (; i < rest.size() && pipes < 7; ++i) {
      if (rest[i] == '\\') ++i;
      else if (rest[i] == '|') ++pipes;
    }
    if (pipes < 7) return fail("the CEF header needs 7 '|'-separated fields (Version|Vendor|Product|Version|ID|Name|Severity|)");
    for (auto& v : values_) v.clear();
    extension(rest.substr(i));
    out.observed.clear();
    out.client = values_[kSrc];
    out.timestamp = !values_[kRt].empty() ? values_[kRt] : !values_[kEnd].empty() ? values_[kEnd] : values_[kStart];
    add(out, kDst, ObservedKind::ip);
    add(out, kTranslated, ObservedKind::ip);
    if (values_[kC6a3Label].empty() || values_[kC6a3Label].find("Destination") != std::string::npos) add(out, kC6a3, ObservedKind::ip);
    add(out, kDhost, ObservedKind::host);
    if (!values_[kRequest].empty())
      add(out, kRequest, values_[kRequest].find("://") != std::string::npos ? ObservedKind::url : ObservedKind::host);
    add(out, kFileHash, ObservedKind::hash);
    return out.observed.empty() ? LineResult::skip : LineResult::record;
  }

  const std::string& error() const override { return error_; }

 private:
  void extension(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && s[i] == ' ') ++i;
      size_t klen = key_at(s, i);
      if (klen == 0) return;  // trailing junk: keep what was read
      std::string_view key = s.substr(i, klen);
      size_t v = i + klen + 1, j = v;
      while (j < s.size()) {
        if (s[j] == '\\') {
          j += 2;
          continue;
        }
        if (s[j] == ' ' && key_at(s, j + 1)) break;
        ++j;
      }
      j = std::min(j, s.size());
      for (size_t k = 0; k < kKeys; ++k)
        if (kKeyNames[k] == key) unescape(s.substr(v, j - v), values_[k]);
      i = j;
    }
  }

  static void unescape(std::string_view v, std::string& out) {
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    out.clear();
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) {
        char n = v[++i];
        out += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
      } else {
        out += v[i];
      }
    }
  }

  void add(LogRecord& out, int key, ObservedKind kind) {
    if (!values_[key].empty()) out.observed.push_back({kKeyNames[key], kind, values_[key]});
  }

  LineResult fail(std::string why) {
    error_ = std::move(why);
    return LineResult::malformed;
  }

  std::array<std::string, kKeys> values_;
  std::string error_;
};

}  // namespace

std::unique_ptr<LogParser> make_cef_parser() { return std::make_unique<CefParser>(); }

}  // namespace wardline::intel
