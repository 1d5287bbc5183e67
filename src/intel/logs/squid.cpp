// Squid native access.log:
//   time elapsed client code/status bytes method URL ident hierarchy/peer type
// Fields are separated by runs of spaces. The URL is a full URL, or host:port
// for CONNECT; the peer after DIRECT/ (HIER_DIRECT/ since Squid 3) is the
// server's address. Parent proxies are not destinations and are left out.
#include "intel/logs/parsers.h"

namespace wardline::intel {
namespace {

class SquidParser final : public LogParser {
 public:
  LineResult parse(std::string_view line, LogRecord& out) override {
    std::string_view f[10];
    size_t n = 0, i = 0;
    while (n < 10) {
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size()) break;
      size_t start = i;
      while (i < line.size() && line[i] != ' ') ++i;
      f[n++] = line.substr(start, i - start);
    }
    if (n == 0) return LineResult::skip;
    if (n < 7) return fail("expected at least 7 space-separated fields (time elapsed client code bytes method URL), found " + std::to_string(n));
    for (char c : f[0])
      if ((c < '0' || c > '9') && c != '.') return fail("the first field must be a Unix time such as 1286536309.450");
    out.timestamp = f[0];
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
