// Squid native access.log:
//   time elapsed client code/status bytes method URL ident hierarchy/peer type
// Fields are separated by runs of spaces. The URL is a full URL, or host:port
// for CONNECT; the peer after DIRECT/ (HIER_DIRECT/ since Squid 3) is the
// server's address. Parent proxies are not destinations and are left out.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "intel/logs/parsers.h"

namespace wardline::intel {
namespace {

// The first 10 space-separated fields (runs of spaces are one separator).
// This is the hot loop of a proxy-log scan: spaces are found 16 bytes at a
// time, and field edges are the changes in the space mask.
size_t split_fields(std::string_view line, std::string_view (&f)[10]) {
  size_t n = 0;
  const char* p = line.data();
  size_t len = line.size();
  bool in_field = false;
  size_t start = 0;
  for (size_t base = 0; base < len && n < 10; base += 16) {
    uint32_t spaces;
    if (base + 16 <= len) {
#if defined(__SSE2__)
      __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + base));
      spaces = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, _mm_set1_epi8(' '))));
#else
      spaces = 0;
      for (int i = 0; i < 16; ++i) spaces |= static_cast<uint32_t>(p[base + i] == ' ') << i;
#endif
    } else {
      spaces = 0;
      for (size_t i = base; i < len; ++i) spaces |= static_cast<uint32_t>(p[i] == ' ') << (i - base);
      spaces |= ~0u << (len - base);  // past the end counts as space
    }
    // Bits where space-ness changes from the previous byte.
    uint32_t prev = (spaces << 1) | (in_field ? 0u : 1u);
    uint32_t edges = (spaces ^ prev) & 0xffff;
    while (edges && n < 10) {
      unsigned bit = static_cast<unsigned>(__builtin_ctz(edges));
      edges &= edges - 1;
      size_t pos = base + bit;
      if (!in_field) {
        start = pos;
      } else {
        f[n++] = line.substr(start, pos - start);
      }
      in_field = !in_field;
    }
  }
  if (in_field && n < 10) f[n++] = line.substr(start);
  return n;
}

class SquidParser final : public LogParser {
 public:
  LineResult parse(std::string_view line, LogRecord& out) override {
    std::string_view f[10];
    size_t n = split_fields(line, f);
    if (n == 0) return LineResult::skip;
    if (n < 7) return fail("expected at least 7 space-separated fields (time elapsed client code bytes method URL), found " + std::to_string(n));
    for (char c : f[0])
      if ((c < '0' || c > '9') && c != '.') return fail("the first field must be a Unix time such as 1286536309.450");
    out.timestamp = f[0];
    out.client = f[2];
    out.observed.clear();
    std::string_view url = f[6];
    if (url.find("://") != std::string_view::npos)
      out.observed.push_back({"url", ObservedKind::url, url});
    else if (url != "-" && url.find('/') == std::string_view::npos)
      out.observed.push_back({"url", ObservedKind::host, url});  // CONNECT host:port
    if (n >= 9) {
      std::string_view hier = f[8];
      size_t slash = hier.find('/');
      if (slash != std::string_view::npos && hier.substr(0, slash).ends_with("DIRECT")) {
        std::string_view peer = hier.substr(slash + 1);
        if (!peer.empty() && peer != "-") out.observed.push_back({"peer", ObservedKind::ip, peer});
      }
    }
    return out.observed.empty() ? LineResult::skip : LineResult::record;
  }

  const std::string& error() const override { return error_; }

 private:
  LineResult fail(std::string why) {
    error_ = std::move(why);
    return LineResult::malformed;
  }
  std::string error_;
};

}  // namespace

std::unique_ptr<LogParser> make_squid_parser() { return std::make_unique<SquidParser>(); }

}  // namespace wardline::intel
