#include "intel/feed_fetch.h"

#include <httplib.h>
#include <sys/stat.h>


#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/files.h"

namespace wardline::intel {
namespace {

constexpr const char* kTaxiiMediaType = "application/taxii+json;version=2.1";
constexpr int kMaxRedirects = 5;
constexpr int kMaxTaxiiPages = 10000;

struct Answer {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  std::string header(const char* name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One GET: authentication, certificate checks, redirects (followed here, not
// by httplib: its follow-location mode treats a 304 as a redirect without a
// Location and fails).
Result<Answer> http_get(std::string url, httplib::Headers headers, const FeedAccess& access) {
  if (access.auth.starts_with("bearer:")) {
    auto token = read_secret_file(access.auth.substr(7), "the feed token file");
    if (!token) return token.error();
    headers.emplace("Authorization", "Bearer " + *token);
  } else if (access.auth.starts_with("basic:")) {
    std::string rest = access.auth.substr(6);
    size_t colon = rest.find(':');
    auto password = read_secret_file(rest.substr(colon + 1), "the feed password file");
    if (!password) return password.error();
    headers.emplace("Authorization", "Basic " + crypto::base64_encode(rest.substr(0, colon) + ":" + *password));
  }
  for (int hops = 0;; ++hops) {
    size_t path_at = url.find('/', url.find("://") + 3);
    std::string origin = url.substr(0, path_at), path = path_at == std::string::npos ? "/" : url.substr(path_at);
    httplib::Client client(origin);
    client.set_connection_timeout(10, 0);
    client.set_read_timeout(60, 0);
    client.enable_server_certificate_verification(true);
    if (!access.ca_file.empty()) client.set_ca_cert_path(access.ca_file.c_str());
    auto r = client.Get(path.c_str(), headers);
    if (!r) return make_error("fetch_failed", "cannot fetch " + url + ": " + httplib::to_string(r.error()) + " error");
    std::string location = r->get_header_value("Location");
    if ((r->status == 301 || r->status == 302 || r->status == 303 || r->status == 307 || r->status == 308) &&
        !location.empty() && hops < kMaxRedirects) {
      if (location[0] == '/') location = origin + location;
      if (!location.starts_with("http://") && !location.starts_with("https://"))
        return make_error("fetch_failed", url + ": redirect to '" + location + "' is not an http(s) URL");
      // Credentials never follow a redirect to another origin.
      if (location.substr(0, origin.size() + 1) != origin + "/") headers.erase("Authorization");
      url = location;
      continue;
    }
    return Answer{r->status, std::move(r->body), r->headers};
  }
}

Result<nlohmann::json> taxii_get(const std::string& url, const FeedAccess& access) {
  auto a = http_get(url, {{"Accept", kTaxiiMediaType}}, access);
  if (!a) return a.error();
  if (a->status != 200) return make_error("fetch_failed", url + ": HTTP " + std::to_string(a->status));
  auto j = nlohmann::json::parse(a->body, nullptr, false);
  if (!j.is_object()) return make_error("fetch_failed", url + ": not a TAXII 2.1 JSON object");
  return j;
}

std::string with_slash(std::string url) {
  if (url.empty() || url.back() != '/') url += '/';
  return url;
}

}  // namespace

Status check_feed_access(const FeedAccess& access) {
  if (!access.auth.empty() && !access.auth.starts_with("bearer:") && !access.auth.starts_with("basic:"))
    return make_error("invalid_feed", "authentication must be bearer:TOKEN_FILE or basic:USER:PASSWORD_FILE");
  std::string file = access.auth.starts_with("bearer:") ? access.auth.substr(7)
                     : access.auth.starts_with("basic:") && access.auth.find(':', 6) != std::string::npos
                         ? access.auth.substr(access.auth.find(':', 6) + 1)
                         : std::string();
  if (access.auth.starts_with("basic:") && access.auth.find(':', 6) == std::string::npos)
    return make_error("invalid_feed", "basic authentication is basic:USER:PASSWORD_FILE");
  struct stat st {};
  if (!file.empty() && ::stat(file.c_str(), &st) != 0)
    return make_error("invalid_feed", "the secret file '" + file + "' does not exist");
  if (!access.ca_file.empty() && ::stat(access.ca_file.c_str(), &st) != 0)
    return make_error("invalid_feed", "the CA file '" + access.ca_file + "' does not exist");
  return Status::Ok();
}

Result<Fetched> fetch_feed(const std::string& source, const std::string& etag, const std::string& last_modified,
                           const FeedAccess& access) {
  Fetched out;
  if (!source.starts_with("http://") && !source.starts_with("https://")) {
    auto body = read_file(source.starts_with("file://") ? source.substr(7) : source, "feed file");
    if (!body) return body.error();
    out.body = std::move(*body);
    return out;
  }
  httplib::Headers headers;
  if (!etag.empty()) headers.emplace("If-None-Match", etag);
  if (!last_modified.empty()) headers.emplace("If-Modified-Since", last_modified);
  auto a = http_get(source, headers, access);
  if (!a) return a.error();
  if (a->status == 304) {
    out.not_modified = true;
    out.etag = etag;
    out.last_modified = last_modified;
    return out;
  }
  if (a->status != 200) return make_error("fetch_failed", source + ": HTTP " + std::to_string(a->status));
  out.body = std::move(a->body);
  out.etag = a->header("ETag");
  out.last_modified = a->header("Last-Modified");
  return out;
}

Result<TaxiiObjects> fetch_taxii_objects(const std::string& collection_url, const std::string& added_after,
                                         const FeedAccess& access) {
  TaxiiObjects out;
  std::string base = with_slash(collection_url) + "objects/";
  std::string next;
  for (int page = 0; page < kMaxTaxiiPages; ++page) {
    std::string url = base;
    std::string sep = "?";
    if (!added_after.empty()) {
      url += sep + "added_after=" + httplib::detail::encode_query_param(added_after);
      sep = "&";
    }
    if (!next.empty()) url += sep + "next=" + httplib::detail::encode_query_param(next);
    auto a = http_get(url, {{"Accept", kTaxiiMediaType}}, access);
    if (!a) return a.error();
    if (a->status != 200) return make_error("fetch_failed", url + ": HTTP " + std::to_string(a->status));
    auto envelope = nlohmann::json::parse(a->body, nullptr, false);
    if (!envelope.is_object()) return make_error("fetch_failed", url + ": not a TAXII 2.1 envelope");
    if (auto objects = envelope.find("objects"); objects != envelope.end() && objects->is_array())
      for (const auto& o : *objects) out.objects.push_back(o.dump());
    if (std::string last = a->header("X-TAXII-Date-Added-Last"); !last.empty()) out.added_last = last;
    bool more = envelope.value("more", false);
    next = envelope.contains("next") && envelope["next"].is_string() ? envelope["next"].get<std::string>() : "";
    if (!more) return out;
    if (next.empty() && out.added_last.empty())
      return make_error("fetch_failed", url + ": the server says there is more but gives no way to ask for it");
  }
  return make_error("fetch_failed", base + ": more than " + std::to_string(kMaxTaxiiPages) + " pages");
}

Result<std::vector<TaxiiCollection>> taxii_collections(const std::string& discovery_url, const FeedAccess& access) {
  auto discovery = taxii_get(discovery_url, access);
  if (!discovery) return discovery.error();
  std::vector<TaxiiCollection> out;
  auto roots = discovery->find("api_roots");
  if (roots == discovery->end() || !roots->is_array())
    return make_error("fetch_failed", discovery_url + ": no api_roots: is this a TAXII 2.1 discovery URL (…/taxii2/)?");
  size_t origin_end = discovery_url.find('/', discovery_url.find("://") + 3);
  std::string origin = discovery_url.substr(0, origin_end);
  for (const auto& r : *roots) {
    if (!r.is_string()) continue;
    std::string root = r.get<std::string>();
    if (root.starts_with("/")) root = origin + root;
    auto collections = taxii_get(with_slash(root) + "collections/", access);
    if (!collections) return collections.error();
    if (auto list = collections->find("collections"); list != collections->end() && list->is_array())
      for (const auto& c : *list) {
        if (!c.is_object()) continue;
        TaxiiCollection tc;
        tc.api_root = with_slash(root);
        tc.id = c.value("id", "");
        tc.title = c.value("title", "");
        tc.can_read = c.value("can_read", false);
        tc.url = tc.api_root + "collections/" + tc.id + "/";
        out.push_back(std::move(tc));
      }
  }
  return out;
}

}  // namespace wardline::intel
