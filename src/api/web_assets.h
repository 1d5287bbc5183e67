// Internal: the dashboard's files (web/), compiled into the daemon.
#pragma once

#include <string_view>
#include <vector>

namespace wardline::api {

struct WebAsset {
  std::string_view path;  // relative to web/, e.g. "index.html", "pages/devices.js"
  std::string_view content_type;
  std::string_view content;
};
const std::vector<WebAsset>& web_assets();

}  // namespace wardline::api
