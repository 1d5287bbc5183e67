// EHR access analytics over the API: EHR and PACS audit feeds post their
// records; analysts and auditors read the alerts.
#include <nlohmann/json.hpp>

#include "api/router.h"
#include "ehr/ehr.h"

namespace wardline::api {
namespace {

constexpr size_t kProblemsShown = 20;

// Alerts go to the audit log through the API's recorder: the call's
// authentication event is committed with the first of them.
class CallRecorder : public audit::Recorder {
 public:
  CallRecorder(Services& s, const Call& call) : s_(s), call_(call) {}
  Result<uint64_t> record(siem::SecurityEvent e) override {
    e.details["request_id"] = call_.request_id;
    Status st = first_ ? api::record(s_, call_, std::move(e)) : api::record(s_, std::move(e));
    first_ = false;
    if (!st) return st.error();
    return uint64_t{0};
  }

 private:
  Services& s_;
  const Call& call_;
  bool first_ = true;
};

Result<ehr::Format> format_of(const Call& call) {
  if (std::string f = call.query("format"); !f.empty()) {
    auto format = ehr::parse_format(f);
    if (!format) return make_error("invalid_field", "format '" + f + "' is not one of fhir, atna, jsonl", "format");
    return *format;
  }
  const std::string type = call.req.get_header_value("Content-Type");
  if (type.find("xml") != std::string::npos) return ehr::Format::atna;
  if (type.find("fhir") != std::string::npos) return ehr::Format::fhir;
  return ehr::sniff_format(call.req.body);
}

}  // namespace

void add_ehr_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/ehr/events", Permission::ehr_ingest, [&s](const Call& call) -> Result<Reply> {
    if (!s.ehr || !s.ehr_key) return make_error("unavailable", "EHR access analytics is not running on this server");
    auto format = format_of(call);
    if (!format) return format.error();
    ehr::AlertBook book(s.store);
    CallRecorder recorder(s, call);
    auto out = ehr::ingest(call.req.body, *format, *s.ehr_key, *s.ehr, book, recorder, "api:" + call.principal.user_name);
    if (!out) return out.error();
    nlohmann::json problems = nlohmann::json::array();
    for (size_t i = 0; i < out->problems.size() && i < kProblemsShown; ++i)
      problems.push_back({{"record", out->problems[i].record}, {"line", out->problems[i].line}, {"message", out->problems[i].message}});
    nlohmann::json alerts = nlohmann::json::array();
    for (const auto& a : out->alerts) alerts.push_back(nlohmann::json::parse(ehr::to_json(a)));
    return Reply{200, {{"format", std::string(ehr::name_of(*format))},
                       {"records", out->stats.records},
                       {"events", out->stats.events},
                       {"problems", out->stats.problems},
                       {"first_problems", problems},
                       {"alerts", alerts}}};
  }});

  routes.push_back({"GET", "/api/v1/ehr/alerts", Permission::ehr_read, [&s](const Call& call) -> Result<Reply> {
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    ehr::AlertFilter f{call.query("user"), call.query("kind"), call.query("since"), *limit, call.query("cursor")};
    auto page = ehr::AlertBook(s.store).list(f);
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : page->alerts) items.push_back(nlohmann::json::parse(ehr::to_json(a)));
    return Reply{200, {{"items", items},
                       {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next_cursor)}}};
  }});

  routes.push_back({"GET", "/api/v1/ehr/alerts/{id}", Permission::ehr_read, [&s](const Call& call) -> Result<Reply> {
    auto a = ehr::AlertBook(s.store).get(call.path_param(0));
    if (!a) return a.error();
    if (!*a) return make_error("not_found", "no EHR alert '" + call.path_param(0) + "'");
    return Reply{200, nlohmann::json::parse(ehr::to_json(**a))};
  }});
}

}  // namespace wardline::api
