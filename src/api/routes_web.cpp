// The dashboard's files, from the copy compiled into the daemon.
#include "api/router.h"
#include "api/web_assets.h"

namespace wardline::api {
namespace {

const WebAsset* find_asset(std::string_view path) {
  for (const auto& a : web_assets())
    if (a.path == path) return &a;
  return nullptr;
}

void send_asset(httplib::Response& res, const WebAsset& a) {
  set_dashboard_headers(res);
  res.set_content(std::string(a.content), std::string(a.content_type));
}

}  // namespace

void serve_dashboard_page(const httplib::Request&, httplib::Response& res) {
  if (const WebAsset* index = find_asset("index.html")) return send_asset(res, *index);
  send_json(res, 404, error_body(make_error("not_found", "this build has no dashboard (web/index.html was missing)")));
}

void serve_web_asset(const httplib::Request& req, httplib::Response& res) {
  if (const WebAsset* a = find_asset(std::string(req.matches[1]))) return send_asset(res, *a);
  send_json(res, 404, error_body(make_error("not_found", "no dashboard file " + req.path)));
}

}  // namespace wardline::api
