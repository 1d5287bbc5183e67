// Suricata EVE JSON, one event per line, by event_type:
//   every type but dns: dest_ip
//   http: http.hostname, and http://hostname + http.url (a path)
//   tls: tls.sni (may end in a dot)
//   dns: dns.rrname; answers: v1 dns.rdata, v2 dns.answers[].rdata or dns.grouped
//   fileinfo: fileinfo.sha256 / md5 / sha1
// In DNS events dest_ip is the resolver or the client, never the destination
// the question is about, so it is left out. stats events carry no addresses.
#include "intel/logs/json_fields.h"
#include "intel/logs/parsers.h"
#include "intel/observed.h"

namespace wardline::intel {
namespace {

class EveParser final : public LogParser {
 public:
  LineResult parse(std::string_view line, LogRecord& out) override {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return LineResult::skip;
    simdjson::dom::element doc;
    if (!parse_json_line(parser_, line, doc, error_)) return LineResult::malformed;
    std::string_view type = json_string(doc, "event_type");
    if (type.empty()) {
      error_ = "no 'event_type': not a Suricata EVE event";
      return LineResult::malformed;
    }
    out.observed.clear();
    out.timestamp = json_string(doc, "timestamp");
    // The client: src_ip, except in DNS answers, which go back to it.
    out.client = json_string(doc, type == "dns" && json_string(doc, "dns.type") == "answer" ? "dest_ip" : "src_ip");
    if (type != "dns") add_json_strings(doc, "dest_ip", ObservedKind::ip, out);
    add_json_strings(doc, "http.hostname", ObservedKind::host, out);
    std::string_view path = json_string(doc, "http.url");
    std::string_view host = json_string(doc, "http.hostname");
    if (path.find("://") != std::string_view::npos) {
      out.observed.push_back({"http.url", ObservedKind::url, path});
    } else if (!host.empty() && !path.empty()) {
      url_.assign("http://").append(host).append(path[0] == '/' ? "" : "/").append(path);
      out.observed.push_back({"http.url", ObservedKind::url, url_});
    }
    add_json_strings(doc, "tls.sni", ObservedKind::host, out);
    if (type == "dns") dns(doc, out);
    add_json_strings(doc, "fileinfo.sha256", ObservedKind::hash, out);
    add_json_strings(doc, "fileinfo.sha1", ObservedKind::hash, out);
    add_json_strings(doc, "fileinfo.md5", ObservedKind::hash, out);
    return out.observed.empty() ? LineResult::skip : LineResult::record;
  }

  const std::string& error() const override { return error_; }

 private:
  static void answer(std::string_view field, std::string_view rrtype, std::string_view rdata, LogRecord& out) {
    if (rdata.empty()) return;
    if (rrtype == "A" || rrtype == "AAAA") out.observed.push_back({field, ObservedKind::ip, rdata});
    else if (rrtype == "CNAME") out.observed.push_back({field, ObservedKind::host, rdata});
  }

  void dns(simdjson::dom::element doc, LogRecord& out) {
    add_json_strings(doc, "dns.rrname", ObservedKind::host, out);
    answer("dns.rdata", json_string(doc, "dns.rrtype"), json_string(doc, "dns.rdata"), out);
    simdjson::dom::element e;
    simdjson::dom::array answers;
    if (json_at(doc, "dns.answers", e) && !e.get(answers)) {
      for (simdjson::dom::element a : answers)
        if (a.is_object()) answer("dns.answers.rdata", json_string(a, "rrtype"), json_string(a, "rdata"), out);
      return;
    }
    add_json_strings(doc, "dns.grouped.A", ObservedKind::ip, out);
    add_json_strings(doc, "dns.grouped.AAAA", ObservedKind::ip, out);
    add_json_strings(doc, "dns.grouped.CNAME", ObservedKind::host, out);
  }

  simdjson::dom::parser parser_;
  std::string url_;
  std::string error_;
};

}  // namespace

std::unique_ptr<LogParser> make_eve_parser() { return std::make_unique<EveParser>(); }

}  // namespace wardline::intel
