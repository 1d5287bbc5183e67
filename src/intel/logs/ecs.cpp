// JSON lines with Elastic Common Schema field names, nested or dotted:
//   destination.ip / .address / .domain, server.ip / .address / .domain,
//   url.full, url.original (when absolute), url.domain, dns.question.name,
//   dns.resolved_ip[], tls.client.server_name, file.hash.sha256 / sha1 / md5,
//   email.from.address, email.sender.address; the time is @timestamp.
#include "intel/logs/json_fields.h"
#include "intel/logs/parsers.h"
#include "intel/observed.h"

namespace wardline::intel {
namespace {

struct EcsField {
  std::string_view path;
  ObservedKind kind;
};
constexpr EcsField kFields[] = {
    {"destination.ip", ObservedKind::ip},       {"destination.domain", ObservedKind::host},
    {"server.ip", ObservedKind::ip},            {"server.domain", ObservedKind::host},
    {"url.full", ObservedKind::url},            {"url.domain", ObservedKind::host},
    {"dns.question.name", ObservedKind::host},  {"dns.resolved_ip", ObservedKind::ip},
    {"tls.client.server_name", ObservedKind::host}, {"file.hash.sha256", ObservedKind::hash},
    {"file.hash.sha1", ObservedKind::hash},     {"file.hash.md5", ObservedKind::hash},
    {"email.from.address", ObservedKind::email}, {"email.sender.address", ObservedKind::email},
};

class EcsParser final : public LogParser {
 public:
  LineResult parse(std::string_view line, LogRecord& out) override {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return LineResult::skip;
    simdjson::dom::element doc;
    if (!parse_json_line(parser_, line, doc, error_)) return LineResult::malformed;
    out.observed.clear();
    out.timestamp = json_string(doc, "@timestamp");
    out.client = json_string(doc, "source.ip");
    if (out.client.empty()) out.client = json_string(doc, "client.ip");
    for (const auto& f : kFields) add_json_strings(doc, f.path, f.kind, out);
    // *.address is "an IP or a domain, whichever the source had".
    for (std::string_view path : {"destination.address", "server.address"}) {
      std::string_view v = json_string(doc, path);
      if (!v.empty()) out.observed.push_back({path, looks_like_ip(v) ? ObservedKind::ip : ObservedKind::host, v});
    }
    std::string_view original = json_string(doc, "url.original");
    if (original.find("://") != std::string_view::npos) out.observed.push_back({"url.original", ObservedKind::url, original});
    return out.observed.empty() ? LineResult::skip : LineResult::record;
  }

  const std::string& error() const override { return error_; }

 private:
  simdjson::dom::parser parser_;
  std::string error_;
};

}  // namespace

std::unique_ptr<LogParser> make_ecs_parser() { return std::make_unique<EcsParser>(); }

}  // namespace wardline::intel
