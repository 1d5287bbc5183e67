// Scanning a log stream: read in large blocks, split lines without copying,
// parse, match every observed destination, report hits.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
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
        std::string_view h = canonical_url_host(o.value, buf);
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
  Scanner(std::string_view name, const IndicatorSet& set, const std::function<void(const Hit&)>& on_hit,
          const std::function<void(const Observed&)>* on_observed = nullptr)
      : name_(name), set_(set), on_hit_(on_hit), on_observed_(on_observed) {}

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
      if (on_observed_ && *on_observed_) (*on_observed_)(o);
      auto m = match_observed(set_, o, buf_);
      if (!m) continue;
      // One hit per indicator per line, even when several fields carry it.
      bool repeat = false;
      for (const auto& s : seen_) repeat |= s == m->value;
      if (repeat) continue;
      seen_.push_back(m->value);
      ++stats_.hits;
      on_hit_(Hit{name_, stats_.lines, record_.timestamp, o.field, o.value, record_.client, std::move(*m)});
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
  const std::function<void(const Observed&)>* on_observed_;
  std::unique_ptr<LogParser> parser_;
  LogRecord record_;
  std::string buf_;
  std::vector<std::string> seen_;
  ScanStats stats_;
};

}  // namespace

namespace {

// Like read(2): bytes read, 0 at the end, -1 with errno.
using Reader = std::function<ssize_t(char*, size_t)>;

// Feeds the scanner every line `read` yields, in blocks, without copying lines.
Status read_lines(const Reader& read, std::string_view name, std::optional<LogFormat> format, Scanner& scanner) {
  std::vector<char> buf(kBlock);
  size_t have = 0;
  bool skipping_long_line = false;
  for (;;) {
    if (have == buf.size()) buf.resize(buf.size() * 2);
    ssize_t n = read(buf.data() + have, buf.size() - have);
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
        return s;
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
  return Status::Ok();
}

Reader file_range(int fd, uint64_t start, uint64_t end) {
  return [fd, pos = start, end](char* out, size_t n) mutable -> ssize_t {
    size_t want = static_cast<size_t>(std::min<uint64_t>(n, end - pos));
    if (want == 0) return 0;
    ssize_t got = ::pread(fd, out, want, static_cast<off_t>(pos));
    if (got > 0) pos += static_cast<uint64_t>(got);
    return got;
  };
}

// A hit kept until the ranges before it have been delivered.
struct HeldHit {
  uint64_t line;
  std::string timestamp, field, observed, client;
  Match match;
};

constexpr size_t kProbe = 64 << 10;

// The offset just after the first newline at or after `pos`, or nullopt.
std::optional<uint64_t> next_line_start(int fd, uint64_t pos) {
  std::vector<char> buf(kProbe);
  ssize_t got = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(pos));
  if (got <= 0) return std::nullopt;
  const char* nl = static_cast<const char*>(std::memchr(buf.data(), '\n', static_cast<size_t>(got)));
  if (!nl) return std::nullopt;
  return pos + static_cast<uint64_t>(nl - buf.data()) + 1;
}

// The format from the first line with something on it, if it is in the first block.
std::optional<LogFormat> detect_in_file(int fd) {
  std::vector<char> buf(kProbe);
  ssize_t got = ::pread(fd, buf.data(), buf.size(), 0);
  std::string_view rest(buf.data(), got > 0 ? static_cast<size_t>(got) : 0);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) return detect_log_format(line);
  }
  return std::nullopt;
}

}  // namespace

Result<ScanStats> scan_stream(int fd, std::string_view name, std::optional<LogFormat> format, const IndicatorSet& set,
                              const std::function<void(const Hit&)>& on_hit) {
  Scanner scanner(name, set, on_hit);
  Reader read = [fd](char* out, size_t n) { return ::read(fd, out, n); };
  if (Status s = read_lines(read, name, format, scanner); !s) return s.error();
  return scanner.stats();
}

Result<ScanStats> scan_text(std::string_view text, std::string_view name, std::optional<LogFormat> format,
                            const IndicatorSet& set, const std::function<void(const Hit&)>& on_hit,
                            const std::function<void(const Observed&)>& on_observed) {
  Scanner scanner(name, set, on_hit, &on_observed);
  Reader read = [&text](char* out, size_t n) -> ssize_t {
    size_t k = std::min(n, text.size());
    std::memcpy(out, text.data(), k);
    text.remove_prefix(k);
    return static_cast<ssize_t>(k);
  };
  if (Status s = read_lines(read, name, format, scanner); !s) return s.error();
  return scanner.stats();
}

Result<ScanStats> scan_file(int fd, uint64_t size, std::string_view name, std::optional<LogFormat> format,
                            const IndicatorSet& set, unsigned threads, const std::function<void(const Hit&)>& on_hit) {
  constexpr uint64_t kMinRange = 8 << 20;
  if (!format) format = detect_in_file(fd);
  size_t n = std::clamp<size_t>(static_cast<size_t>(size / kMinRange), 1, std::max(threads, 1u));
  // Zeek's header lines drive its parser, so a Zeek log is read in one piece;
  // an undetected format is left to the single reader, which reports it.
  std::vector<uint64_t> starts = {0};
  if (format && *format != LogFormat::zeek)
    for (size_t k = 1; k < n; ++k)
      if (auto s = next_line_start(fd, size / n * k); s && *s > starts.back() && *s < size) starts.push_back(*s);
  if (starts.size() == 1) {
    Scanner scanner(name, set, on_hit);
    if (Status s = read_lines(file_range(fd, 0, size), name, format, scanner); !s) return s.error();
    return scanner.stats();
  }
  starts.push_back(size);
  size_t ranges = starts.size() - 1;
  std::vector<ScanStats> stats(ranges);
  std::vector<std::vector<HeldHit>> held(ranges);
  std::vector<Error> errors(ranges);
  std::vector<std::thread> workers;
  for (size_t k = 0; k < ranges; ++k)
    workers.emplace_back([&, k] {
      std::function<void(const Hit&)> keep = [&](const Hit& h) {
        held[k].push_back({h.line, std::string(h.timestamp), std::string(h.field), std::string(h.observed),
                           std::string(h.client), h.match});
      };
      Scanner scanner(name, set, keep);
      if (Status s = read_lines(file_range(fd, starts[k], starts[k + 1]), name, format, scanner); !s) errors[k] = s.error();
      stats[k] = scanner.stats();
    });
  for (auto& w : workers) w.join();
  for (const auto& e : errors)
    if (!e.code.empty()) return e;
  ScanStats total;
  for (size_t k = 0; k < ranges; ++k) {
    uint64_t offset = total.lines;
    for (const HeldHit& h : held[k]) on_hit(Hit{name, h.line + offset, h.timestamp, h.field, h.observed, h.client, h.match});
    for (const auto& [line, why] : stats[k].first_malformed)
      if (total.first_malformed.size() < kMalformedExamples) total.first_malformed.emplace_back(line + offset, why);
    total.lines += stats[k].lines;
    total.records += stats[k].records;
    total.malformed += stats[k].malformed;
    total.hits += stats[k].hits;
  }
  return total;
}

}  // namespace wardline::intel
