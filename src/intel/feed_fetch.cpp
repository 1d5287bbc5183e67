#include "intel/feed_fetch.h"

#include <httplib.h>

#include <fstream>
#include <sstream>

namespace wardline::intel {

Result<Fetched> fetch_feed(const std::string& source, const std::string& etag, const std::string& last_modified) {
  Fetched out;
  if (!source.starts_with("http://") && !source.starts_with("https://")) {
    std::string path = source.starts_with("file://") ? source.substr(7) : source;
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("unreadable", "cannot read feed file '" + path + "'");
    std::ostringstream s;
    s << in.rdbuf();
    out.body = std::move(s).str();
    return out;
  }
  // Redirects are followed here, not by httplib: its follow-location mode
  // treats a 304 as a redirect without a Location and fails.
  std::string url = source;
  for (int hops = 0;; ++hops) {
    size_t path_at = url.find('/', url.find("://") + 3);
    std::string origin = url.substr(0, path_at), path = path_at == std::string::npos ? "/" : url.substr(path_at);
    httplib::Client client(origin);
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(60, 0);
    client.enable_server_certificate_verification(true);
    httplib::Headers headers;
    if (!etag.empty()) headers.emplace("If-None-Match", etag);
    if (!last_modified.empty()) headers.emplace("If-Modified-Since", last_modified);
    auto r = client.Get(path.c_str(), headers);
    if (!r) return make_error("fetch_failed", "cannot fetch " + url + ": " + httplib::to_string(r.error()) + " error");
    if (r->status == 304) {
      out.not_modified = true;
      out.etag = etag;
      out.last_modified = last_modified;
      return out;
    }
    std::string location = r->get_header_value("Location");
    if ((r->status == 301 || r->status == 302 || r->status == 303 || r->status == 307 || r->status == 308) &&
        !location.empty() && hops < 5) {
      if (location[0] == '/') location = origin + location;
      if (!location.starts_with("http://") && !location.starts_with("https://"))
        return make_error("fetch_failed", url + ": redirect to '" + location + "' is not an http(s) URL");
      url = location;
      continue;
    }
    if (r->status != 200) return make_error("fetch_failed", url + ": HTTP " + std::to_string(r->status));
    out.body = std::move(r->body);
    out.etag = r->get_header_value("ETag");
    out.last_modified = r->get_header_value("Last-Modified");
    return out;
  }
}

}  // namespace wardline::intel
