// /api/v1/devices: the device inventory with each device's compliance state
// and failing checks; on-device agents check in; posture reports.
#include "api/json_body.h"
#include "api/router.h"
#include "core/time.h"
#include "posture/posture.h"
#include "response/response.h"

namespace wardline::api {
namespace {

constexpr size_t kMaxCheckinBytes = 256 * 1024;

Status available(const Services& s) {
  if (!s.devices) return make_error("unavailable", "the device inventory is not configured on this server");
  return {};
}

nlohmann::json time_or_null(int64_t t) { return t > 0 ? nlohmann::json(to_rfc3339(t)) : nlohmann::json(nullptr); }

nlohmann::json summary_json(const posture::DeviceRecord& r) {
  const auto& d = r.device;
  nlohmann::json failing = nlohmann::json::array();
  for (const auto& f : r.standing.findings)
    if (f.enforcement != posture::Enforcement::report) failing.push_back(f.check);
  return {{"id", d.id},
          {"name", d.name},
          {"user", d.user},
          {"platform", posture::name_of(d.platform)},
          {"os_version", d.os_version},
          {"ownership", posture::name_of(d.ownership)},
          {"management", posture::name_of(d.management)},
          {"source", d.source},
          {"last_checkin", time_or_null(d.last_checkin)},
          {"state", posture::name_of(r.standing.state)},
          {"state_since", time_or_null(r.standing.since)},
          {"deadline", time_or_null(r.standing.deadline)},
          {"failing_checks", failing}};
}

nlohmann::json detail_json(const posture::DeviceRecord& r) {
  nlohmann::json out = summary_json(r);
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.standing.findings) {
    auto since = r.standing.failing_since.find(f.check);
    auto explained = posture::explain_check(f.check);
    findings.push_back({{"check", f.check},
                        {"enforcement", posture::name_of(f.enforcement)},
                        {"message", f.message},
                        {"why", explained.why},
                        {"fix", explained.fix},
                        {"failing_since", since == r.standing.failing_since.end() ? nlohmann::json(nullptr)
                                                                                   : time_or_null(since->second)},
                        {"deadline", time_or_null(f.deadline)}});
  }
  out["findings"] = findings;
  out["wipe"] = response::wipe_word(r.device);
  out["device"] = nlohmann::json::parse(posture::device_to_json(r.device), nullptr, false);
  return out;
}

}  // namespace

void describe_state_change(siem::SecurityEvent& e, const posture::StateChange& c) {
  e.severity = c.to == posture::State::quarantined ? "warning"
               : c.to == posture::State::noncompliant ? "notice"
                                                      : "info";
  e.details["from"] = c.from ? std::string(posture::name_of(*c.from)) : "new";
  e.details["to"] = std::string(posture::name_of(c.to));
  std::string checks;
  for (const auto& ch : c.checks) checks += (checks.empty() ? "" : ",") + ch;
  e.details["checks"] = checks;
  if (!c.user.empty()) e.details["user"] = c.user;
}

void add_device_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/devices", Permission::devices_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    posture::DeviceInventory::Filter f{call.query("state"), call.query("ownership"), call.query("platform"),
                                       call.query("user"), call.query("check")};
    if (!f.state.empty() && !posture::parse_state(f.state))
      return make_error("invalid_filter", "state must be compliant, grace, noncompliant or quarantined", "state");
    auto page = s.devices->list(f, call.query("cursor"), *limit);
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : page->devices) items.push_back(summary_json(r));
    return Reply{200, {{"items", items},
                       {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next_cursor)}}};
  }});

  routes.push_back({"GET", "/api/v1/devices/{id}", Permission::devices_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto r = s.devices->get(call.path_param(0));
    if (!r) return r.error();
    if (!*r) return make_error("not_found", "no device '" + call.path_param(0) + "' in the inventory");
    return Reply{200, detail_json(**r)};
  }});

  // An on-device agent reports what it knows; what it leaves out is kept
  // from the MDM's last import. The answer is the device's standing.
  routes.push_back({"POST", "/api/v1/devices/checkin", Permission::devices_checkin, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    if (call.req.body.size() > kMaxCheckinBytes)
      return make_error("payload_too_large", "a check-in is at most " + std::to_string(kMaxCheckinBytes / 1024) + " KiB");
    auto reported = posture::device_from_json(call.req.body, "check-in body");
    if (!reported) return make_error("invalid_device", reported.error().message);
    auto stored = s.devices->get(reported->id);
    if (!stored) return stored.error();
    posture::Device device = *stored ? (*stored)->device : posture::Device{};
    posture::overlay(device, *reported);
    device.source = "checkin";
    int64_t now = unix_now();
    if (reported->last_checkin == 0) device.last_checkin = now;
    auto changes = s.devices->put({device}, now);
    if (!changes) return changes.error();
    std::optional<siem::SecurityEvent> event;
    if (!changes->empty()) {
      event = call_event(call, "posture.state_change", device.id);
      describe_state_change(*event, changes->front());
    }
    if (Status a = record(s, call, event); !a) {
      (void)s.devices->undo(*changes);
      return a.error();
    }
    auto r = s.devices->get(device.id);
    if (!r) return r.error();
    if (!*r) return make_error("store_unavailable", "the device vanished while it was being stored");
    return Reply{200, detail_json(**r)};
  }});

  routes.push_back({"GET", "/api/v1/posture/reports/{kind}", Permission::devices_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto kind = posture::parse_report_kind(call.path_param(0));
    if (!kind) return make_error("not_found", "no report '" + call.path_param(0) + "'; reports are app-audit, patch-sla and fleet");
    std::string format_text = call.query("format").empty() ? "json" : call.query("format");
    auto format = posture::parse_report_format(format_text);
    if (!format) return make_error("invalid_format", "format must be json, csv or text", "format");
    auto report = posture::render_report(*s.devices, *kind, *format, unix_now());
    if (!report) return report.error();
    if (*format == posture::ReportFormat::json) return Reply{200, nlohmann::json::parse(*report)};
    Reply reply;
    reply.content_type = *format == posture::ReportFormat::csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
    reply.content = std::move(*report);
    return reply;
  }});
}

}  // namespace wardline::api
