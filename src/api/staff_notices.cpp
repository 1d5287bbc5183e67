// Notices to targeted staff through the hospital's SMS gateway: one POST of
// {"to","message","campaign"} per person, bearer-authenticated.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/router.h"
#include "siem/siem.h"
#include "smish/smish.h"

namespace wardline::api {

Status check_staff_notices(const StaffNoticeConfig& cfg) {
  auto m = smish::staff_notice(cfg.message, smish::Campaign{});
  return m ? Status() : Status(m.error());
}

Result<NoticeResult> send_staff_notices(const StaffNoticeConfig& cfg, const std::string& token, const smish::Campaign& c,
                                        const std::vector<smish::StaffMember>& staff) {
  auto message = smish::staff_notice(cfg.message, c);
  if (!message) return message.error();
  // "https://host[:port]/path": httplib wants the origin and the path apart.
  size_t path_at = cfg.url.find('/', cfg.url.find("://") + 3);
  std::string origin = cfg.url.substr(0, path_at), path = path_at == std::string::npos ? "/" : cfg.url.substr(path_at);
  httplib::Client client(origin);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  client.enable_server_certificate_verification(true);
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  NoticeResult out;
  for (const auto& m : staff) {
    nlohmann::json body{{"to", m.phone}, {"message", *message}, {"campaign", c.id}};
    auto r = client.Post(path.c_str(), headers, body.dump(), "application/json");
    if (r && r->status >= 200 && r->status < 300) {
      ++out.sent;
    } else {
      ++out.failed;
      out.failed_staff.push_back(smish::staff_key(m));
      out.last_error = r ? "HTTP " + std::to_string(r->status) : httplib::to_string(r.error());
      spdlog::warn("campaign {}: notice to a staff member not delivered: {}", c.id, out.last_error);
    }
  }
  return out;
}

Status retry_staff_notices(Services& s, int64_t now) {
  const auto& cfg = s.config.smish.campaigns.notify;
  if (!s.campaigns || cfg.url.empty()) return {};
  smish::NoticeQueue queue(s.store);
  auto due = queue.due(now);
  if (!due) return due.error();
  for (const auto& n : *due) {
    // A campaign taken back (or merged away) since: no warning about it any more.
    auto d = s.campaigns->get(n.campaign_id);
    if (!d && d.error().code != "not_found") return d.error();
    auto staff = d && d->campaign.status == "confirmed" ? s.campaigns->targeted_staff(n.campaign_id)
                                                         : Result<std::vector<smish::StaffMember>>(std::vector<smish::StaffMember>{});
    if (!staff) return staff.error();
    auto member = std::find_if(staff->begin(), staff->end(), [&](const auto& m) { return smish::staff_key(m) == n.staff_key; });
    if (member == staff->end()) {
      if (Status st = queue.remove(n.id); !st) return st;
      continue;
    }
    auto sent = send_staff_notices(cfg, s.intake.notify_token, d->campaign, {*member});
    if (!sent) return sent.error();
    bool abandoned = false;
    if (sent->sent) {
      if (Status st = queue.remove(n.id); !st) return st;
    } else {
      auto gave_up = queue.failed_again(n, sent->last_error, now);
      if (!gave_up) return gave_up.error();
      abandoned = *gave_up;
      if (!abandoned) continue;  // recorded when it is delivered or given up
    }
    auto e = siem::make_event("admin.campaign_notified", abandoned ? "failure" : "success");
    e.severity = abandoned ? "warning" : "info";
    e.actor = "system";
    e.subject = n.campaign_id;
    e.details = {{"sent", std::to_string(sent->sent)}, {"failed", std::to_string(sent->failed)}, {"retry", "true"},
                 {"attempts", std::to_string(n.attempts + 1)}};
    if (abandoned) e.details["given_up"] = "true", e.details["last_error"] = sent->last_error;
    (void)record(s, e);  // the notice is out (or given up) either way
  }
  return {};
}

}  // namespace wardline::api
