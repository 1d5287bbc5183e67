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

// How many items a first page of `limit` holds, one more when more follow
// (capped below, so "500+").
template <typename Page, typename Items>
Result<int64_t> counted(Result<Page> page, Items Page::*items) {
  if (!page) return page.error();
  return static_cast<int64_t>(((*page).*items).size()) + (page->next_cursor.empty() ? 0 : 1);
}

Result<json> counts(Services& s, const Principal& p) {
  json out = json::object();
  Status failed;
  auto put = [&](const char* key, Result<int64_t> n) {
    if (!n) failed = n.error();
    else out[key] = std::min<int64_t>(*n, kCountCap);
  };
  Role r = p.role;
  if (s.campaigns && role_allows(r, Permission::reports_read)) {
    auto fresh = counted(s.campaigns->list("new", "", kCountCap), &smish::CampaignPage::campaigns);
    auto worked = counted(s.campaigns->list("investigating", "", kCountCap), &smish::CampaignPage::campaigns);
    put("open_campaigns", !fresh ? fresh : !worked ? worked : Result<int64_t>(*fresh + *worked));
  }
  if (s.alerts && role_allows(r, Permission::intel_read))
    put("open_intel_alerts", counted(s.alerts->list("open", "", kCountCap), &intel::AlertBook::Page::alerts));
  if (s.devices && role_allows(r, Permission::devices_read)) {
    posture::DeviceInventory::Filter f;
    f.state = "noncompliant";
    put("noncompliant_devices", counted(s.devices->list(f, "", kCountCap), &posture::DeviceInventory::Page::devices));
  }
  if (s.incidents && role_allows(r, Permission::incidents_read)) {
    response::IncidentFilter f;
    f.status = "open";
    f.limit = kCountCap;
    put("open_incidents", counted(s.incidents->list(f), &response::IncidentPage::incidents));
  }
  if (s.response && role_allows(r, Permission::incidents_read)) {
    response::ActionFilter f;
    f.state = "awaiting_approval";
    f.limit = kCountCap;
    put("pending_approvals", counted(s.response->list(f), &response::ActionPage::actions));
  }
  if (role_allows(r, Permission::ehr_read)) {
    ehr::AlertFilter f;
    f.since = to_rfc3339(unix_now() - 7 * 86400);
    f.limit = kCountCap;
    put("ehr_alerts_7d", counted(ehr::AlertBook(s.store).list(f), &ehr::AlertPage::alerts));
  }
  if (!failed) return failed.error();
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
