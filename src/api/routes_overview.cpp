// GET /api/v1/overview: the dashboard's first page in one call. Counts of
// open work, capped at one page each (the dashboard shows "500+"), and two
// weeks of activity from the audit log.
#include "api/router.h"
#include "core/time.h"
#include "ehr/ehr.h"
#include "posture/posture.h"
#include "response/response.h"
#include "smish/smish.h"

namespace wardline::api {
namespace {

using nlohmann::json;

constexpr int kCountCap = 500;
constexpr int kActivityDays = 14;
const std::vector<std::string> kActivityTypes = {"smish.report", "intel.hit", "ehr.alert", "access.decision"};

template <typename Page>
Result<int64_t> count_page(Result<Page> page, size_t (*size_of)(const Page&)) {
  if (!page) return page.error();
  return static_cast<int64_t>(size_of(*page)) + (page->next_cursor.empty() ? 0 : 1);
}

Result<json> counts(Services& s, const Principal& p) {
  json out = json::object();
  auto put = [&](const char* key, Result<int64_t> n) -> Status {
    if (!n) return n.error();
    out[key] = std::min<int64_t>(*n, kCountCap);
    return {};
  };
  Role r = p.role;
  if (s.campaigns && role_allows(r, Permission::reports_read)) {
    int64_t open = 0;
    for (const char* status : {"new", "investigating"}) {
      auto n = count_page<smish::CampaignPage>(s.campaigns->list(status, "", kCountCap),
                                               [](const smish::CampaignPage& pg) { return pg.campaigns.size(); });
      if (!n) return n.error();
      open += *n;
    }
    if (Status st = put("open_campaigns", open); !st) return st.error();
  }
  if (s.alerts && role_allows(r, Permission::intel_read))
    if (Status st = put("open_intel_alerts", count_page<intel::AlertBook::Page>(s.alerts->list("open", "", kCountCap),
                                                                              [](const intel::AlertBook::Page& pg) { return pg.alerts.size(); }));
        !st)
      return st.error();
  if (s.devices && role_allows(r, Permission::devices_read)) {
    posture::DeviceInventory::Filter f;
    f.state = "noncompliant";
    if (Status st = put("noncompliant_devices",
                        count_page<posture::DeviceInventory::Page>(s.devices->list(f, "", kCountCap),
                                                                   [](const posture::DeviceInventory::Page& pg) { return pg.devices.size(); }));
        !st)
      return st.error();
  }
  if (s.incidents && role_allows(r, Permission::incidents_read)) {
    response::IncidentFilter f;
    f.status = "open";
    f.limit = kCountCap;
    if (Status st = put("open_incidents", count_page<response::IncidentPage>(s.incidents->list(f), [](const response::IncidentPage& pg) {
                          return pg.incidents.size();
                        }));
        !st)
      return st.error();
  }
  if (s.response && role_allows(r, Permission::incidents_read)) {
    response::ActionFilter f;
    f.state = "awaiting_approval";
    f.limit = kCountCap;
    if (Status st = put("pending_approvals", count_page<response::ActionPage>(s.response->list(f), [](const response::ActionPage& pg) {
                          return pg.actions.size();
                        }));
        !st)
      return st.error();
  }
  if (role_allows(r, Permission::ehr_read)) {
    ehr::AlertFilter f;
    f.since = to_rfc3339(unix_now() - 7 * 86400);
    f.limit = kCountCap;
    if (Status st = put("ehr_alerts_7d", count_page<ehr::AlertPage>(ehr::AlertBook(s.store).list(f),
                                                                    [](const ehr::AlertPage& pg) { return pg.alerts.size(); }));
        !st)
      return st.error();
  }
  return out;
}

Result<json> activity(Services& s) {
  std::vector<std::string> days;
  int64_t now = unix_now();
  for (int i = kActivityDays - 1; i >= 0; --i) days.push_back(to_rfc3339(now - i * 86400).substr(0, 10));
  auto rows = s.audit.daily_counts(days.front(), kActivityTypes);
  if (!rows) return rows.error();
  json series = json::object();
  for (const auto& t : kActivityTypes) series[t] = std::vector<int64_t>(days.size(), 0);
  for (const auto& c : *rows) {
    auto it = std::find(days.begin(), days.end(), c.day);
    if (it != days.end()) series[c.type][it - days.begin()] = c.count;
  }
  return json{{"days", days}, {"series", series}};
}

}  // namespace

void add_overview_routes(std::vector<Route>& routes, Services& s) {
  // Everyone signed in may open it; each part is there only for the roles that may read it.
  routes.push_back({"GET", "/api/v1/overview", Permission::self_read, [&s](const Call& call) -> Result<Reply> {
    auto c = counts(s, call.principal);
    if (!c) return c.error();
    json body = {{"counts", *c}, {"counts_capped_at", kCountCap}};
    if (role_allows(call.principal.role, Permission::incidents_read)) {
      auto a = activity(s);
      if (!a) return a.error();
      body["activity"] = *a;
    }
    if (role_allows(call.principal.role, Permission::audit_read)) {
      auto sth = s.audit.latest_sth();
      if (!sth) return sth.error();
      body["latest_sth"] = json::parse(audit::sth_to_json(*sth));
    }
    return Reply{200, body};
  }});
}

}  // namespace wardline::api
