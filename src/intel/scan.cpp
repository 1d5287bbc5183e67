// Scanning a log stream: read in large blocks, split lines without copying,
// parse, match every observed destination, report hits.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/strings.h"
#include "intel/intel.h"
#include "intel/observed.h"

namespace wardline::intel {
namespace {

constexpr size_t kBlock = 1 << 20;
constexpr size_t kMaxLine = 1 << 20;  // longer lines are reported as malformed, not buffered forever
constexpr size_t kMalformedExamples = 10;

std::optional<Match> match_observed(const IndicatorSet& set, const Observed& o, std::string& buf) {
  switch (o.kind) {
    case ObservedKind::host: {
      std::string_view h = canonical_host(o.value, buf);
      return h.empty() ? std::nullopt : set.match_host(h);
    }
    case ObservedKind::ip: return set.match_ip(o.value);
    case ObservedKind::url: {
      if (set.count(IndicatorType::url) == 0) {  // only the host can match: skip URL normalisation
        std::string_view h = canonical_host(host_of_url(o.value), buf);
        return h.empty() ? std::nullopt : set.match_host(h);
      }
      std::string_view u = canonical_url(o.value, buf);
      return u.empty() ? std::nullopt : set.match_url(u);
    }
    case ObservedKind::email: {
      buf = ascii_lowercase(o.value);
      return set.match_exact(IndicatorType::email, buf);
    }
    case ObservedKind::hash: {
      buf = ascii_lowercase(o.value);
      IndicatorType t = buf.size() == 64 ? IndicatorType::sha256 : buf.size() == 40 ? IndicatorType::sha1 : IndicatorType::md5;
      return set.match_exact(t, buf);
    }
  }
  return std::nullopt;
}

class Scanner {
 public:
  Scanner(std::string_view name, const IndicatorSet& set, const std::function<void(const Hit&)>& on_hit)
      : name_(name), set_(set), on_hit_(on_hit) {}

  // Returns an error only when the format cannot be told.
  Status line(std::string_view text, std::optional<LogFormat> format) {
    ++stats_.lines;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (!parser_) {
      if (text.find_first_not_of(" \t") == std::string_view::npos) return Status::Ok();
      if (!format) format = detect_log_format(text);
      if (!format)
        return make_error("unknown_log_format", std::string(name_) + ":" + std::to_string(stats_.lines) +
                                                    ": cannot tell the log format from this line; pass --format "
                                                    "zeek|squid|eve|cef|ecs");
      parser_ = make_log_parser(*format);
    }
    switch (parser_->parse(text, record_)) {
      case LineResult::skip: return Status::Ok();
      case LineResult::malformed: malformed(parser_->error()); return Status::Ok();
      case LineResult::record: break;
    }
    ++stats_.records;
    seen_.clear();
    for (const Observed& o : record_.observed) {
      auto m = match_observed(set_, o, buf_);
      if (!m) continue;
      // One hit per indicator per line, even when several fields carry it.
      bool repeat = false;
      for (const auto& s : seen_) repeat |= s == m->value;
      if (repeat) continue;
      seen_.push_back(m->value);
      ++stats_.hits;
      on_hit_(Hit{name_, stats_.lines, record_.timestamp, o.field, o.value, std::move(*m)});
    }
    return Status::Ok();
  }

  void malformed(const std::string& why) {
    ++stats_.malformed;
    if (stats_.first_malformed.size() < kMalformedExamples) stats_.first_malformed.emplace_back(stats_.lines, why);
  }

  // A line that never ends within kMaxLine: counted, reported, not buffered.
  void long_line() {
    ++stats_.lines;
    malformed("line longer than 1 MiB");
  }

  const ScanStats& stats() const { return stats_; }

 private:
  std::string_view name_;
  const IndicatorSet& set_;
  const std::function<void(const Hit&)>& on_hit_;
  std::unique_ptr<LogParser> parser_;
  LogRecord record_;
  std::string buf_;
  std::vector<std::string> seen_;
  ScanStats stats_;
};

}  // namespace

Result<ScanStats> scan_stream(int fd, std::string_view name, std::optional<LogFormat> format, const IndicatorSet& set,
                              const std::function<void(const Hit&)>& on_hit) {
  Scanner scanner(name, set, on_hit);
  std::vector<char> buf(kBlock);
  size_t have = 0;
  bool skipping_long_line = false;
  for (;;) {
    if (have == buf.size()) buf.resize(buf.size() * 2);
    ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("read_failed", std::string(name) + ": " + std::strerror(errno));
    }
    size_t end = have + static_cast<size_t>(n);
    size_t start = 0;
    bool eof = n == 0;
    while (start < end) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + start, '\n', end - start));
      if (!nl && !eof) break;
      size_t stop = nl ? static_cast<size_t>(nl - buf.data()) : end;
      if (skipping_long_line) {
        skipping_long_line = false;  // the end of a line already counted as malformed
      } else if (Status s = scanner.line({buf.data() + start, stop - start}, format); !s) {
        return s.error();
      }
      start = stop + 1;
    }
    if (eof) break;
    have = end - start;
    if (skipping_long_line) {
      have = 0;  // still inside an over-long line: drop it
    } else if (have > kMaxLine) {
      scanner.long_line();
      skipping_long_line = true;
      have = 0;
    } else {
      std::memmove(buf.data(), buf.data() + start, have);
    }
  }
  return scanner.stats();
}

}  // namespace wardline::intel
