// Notices to targeted staff through the hospital's SMS gateway: one POST of
// {"to","message","campaign"} per person, bearer-authenticated.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "api/router.h"
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
      spdlog::warn("campaign {}: notice to a staff member not delivered: {}", c.id,
                   r ? "HTTP " + std::to_string(r->status) : httplib::to_string(r.error()));
    }
  }
  return out;
}

}  // namespace wardline::api
