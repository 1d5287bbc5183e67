// Subscribed feeds: rows in intel_feeds, content cached on disk, one
// compiled snapshot for scans and the daemon.
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "core/ids.h"
#include "core/time.h"
#include "intel/feed_fetch.h"
#include "intel/intel.h"
#include "store/store.h"

namespace wardline::intel {
namespace {

namespace fs = std::filesystem;

constexpr size_t kStoredRejects = 20;
constexpr const char* kColumns =
    "name, source, format, confidence, added_at, added_by, etag, last_modified, last_pull_at, last_status, status, auth, ca_file, "
    "cursor, half_life";

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

struct Row {
  FeedEntry entry;
  std::string etag, last_modified;
  std::string cursor;  // TAXII: added_after for the next pull
};

Row from_row(const store::Row& r) {
  Row out;
  FeedEntry& e = out.entry;
  e.name = r.text(0);
  e.source = r.text(1);
  e.format = parse_feed_format(r.text(2));
  e.confidence = static_cast<int>(r.integer(3));
  e.added_at = r.integer(4);
  e.added_by = r.text(5);
  out.etag = r.text(6);
  out.last_modified = r.text(7);
  e.last_pull_at = r.integer(8);
  e.last_status = r.text(9);
  e.access.auth = r.text(11);
  e.access.ca_file = r.text(12);
  out.cursor = r.text(13);
  e.half_life = r.integer(14);
  auto status = nlohmann::json::parse(r.text(10), nullptr, false);
  if (status.is_object()) {
    e.last_error = status.value("error", "");
    e.indicators = status.value("indicators", size_t{0});
    e.rejected = status.value("rejected", size_t{0});
    e.ignored = status.value("ignored", size_t{0});
    e.expired = status.value("expired", size_t{0});
    e.decayed = status.value("decayed", size_t{0});
    if (status.contains("rejects") && status["rejects"].is_array())
      for (const auto& x : status["rejects"]) e.rejects.push_back({x.value("where", ""), x.value("reason", "")});
  }
  return out;
}

std::string status_json(const FeedEntry& e) {
  nlohmann::json rejects = nlohmann::json::array();
  for (size_t i = 0; i < e.rejects.size() && i < kStoredRejects; ++i)
    rejects.push_back({{"where", e.rejects[i].where}, {"reason", e.rejects[i].reason}});
  return nlohmann::json{{"error", e.last_error}, {"indicators", e.indicators}, {"rejected", e.rejected},
                        {"ignored", e.ignored}, {"expired", e.expired}, {"decayed", e.decayed}, {"rejects", rejects}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}


// A TAXII collection is kept as one STIX bundle: new objects are added, a
// newer version of an object (by "modified") replaces the old one.
Status merge_taxii_objects(const std::string& path, const std::string& feed, const std::vector<std::string>& objects) {
  nlohmann::json bundle{{"type", "bundle"}, {"id", "bundle--" + uuid_v5("00abedb4-aa42-466c-9c01-fed23315a9b7", "taxii:" + feed)},
                        {"objects", nlohmann::json::array()}};
  if (std::ifstream in(path); in) {
    auto old = nlohmann::json::parse(in, nullptr, false);
    if (old.is_object() && old.contains("objects") && old["objects"].is_array()) bundle["objects"] = old["objects"];
  }
  std::map<std::string, size_t> index;
  auto& list = bundle["objects"];
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].is_object() && list[i].contains("id") && list[i]["id"].is_string()) index[list[i]["id"]] = i;
  for (const auto& text : objects) {
    auto o = nlohmann::json::parse(text, nullptr, false);
    if (!o.is_object() || !o.contains("id") || !o["id"].is_string()) continue;
    auto it = index.find(o["id"]);
    if (it == index.end()) {
      index[o["id"]] = list.size();
      list.push_back(std::move(o));
    } else if (o.value("modified", std::string()) >= list[it->second].value("modified", std::string())) {
      list[it->second] = std::move(o);
    }
  }
  return write_file_atomically(path, bundle.dump());
}

}  // namespace

FeedRegistry::FeedRegistry(store::Store& store, std::string data_dir) : store_(store), data_dir_(std::move(data_dir)) {}

std::string snapshot_path(const std::string& data_dir) { return data_dir + "/intel/indicators.snapshot"; }

std::string FeedRegistry::snapshot_path() const { return intel::snapshot_path(data_dir_); }
std::string FeedRegistry::content_path(const std::string& name) const { return data_dir_ + "/intel/feeds/" + name; }

Status FeedRegistry::add(const FeedEntry& feed) {
  if (!valid_name(feed.name))
    return make_error("invalid_feed", "feed name '" + feed.name + "': use 1 to 64 of a-z, 0-9, '-' and '_'");
  if (feed.confidence < 0 || feed.confidence > 100) return make_error("invalid_feed", "confidence must be between 0 and 100");
  if (feed.half_life < 0) return make_error("invalid_feed", "the half-life must be positive (or 0: no decay)");
  bool url = feed.source.starts_with("http://") || feed.source.starts_with("https://");
  if (Status s = check_feed_access(feed.access); !s) return s;
  if (feed.format == FeedFormat::taxii && !url)
    return make_error("invalid_feed", "a TAXII feed's source is its collection URL, https://HOST/API_ROOT/collections/ID/");
  if (!url) {
    std::string path = feed.source.starts_with("file://") ? feed.source.substr(7) : feed.source;
    std::error_code ec;
    if (!fs::exists(path, ec)) return make_error("invalid_feed", "feed source '" + feed.source + "' does not exist");
  }
  auto existing = store_.query("SELECT name FROM intel_feeds WHERE name = ?", {feed.name});
  if (!existing) return existing.error();
  if (!existing->empty()) return make_error("conflict", "a feed named '" + feed.name + "' exists; remove it first");
  auto r = store_.execute(
      std::string("INSERT INTO intel_feeds (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, '', '', 0, '', '{}', ?, ?, '', ?)",
      {feed.name, feed.source, feed.format ? std::string(feed_format_name(*feed.format)) : std::string("auto"),
       int64_t{feed.confidence}, unix_now(), feed.added_by, feed.access.auth, feed.access.ca_file, feed.half_life});
  return r ? Status::Ok() : Status(r.error());
}

Status FeedRegistry::remove(const std::string& name) {
  auto r = store_.execute("DELETE FROM intel_feeds WHERE name = ?", {name});
  if (!r) return r.error();
  if (*r == 0) return make_error("not_found", "no feed named '" + name + "' (see 'wardline intel feed list')");
  std::error_code ec;
  fs::remove(content_path(name), ec);
  return Status::Ok();
}

Result<std::vector<FeedEntry>> FeedRegistry::list() {
  auto rows = store_.query(std::string("SELECT ") + kColumns + " FROM intel_feeds ORDER BY name");
  if (!rows) return rows.error();
  std::vector<FeedEntry> out;
  for (const auto& r : *rows) out.push_back(from_row(r).entry);
  return out;
}

Result<PullResult> FeedRegistry::pull(const WarningList& warning, const std::vector<LocalFeed>& local, int min_confidence) {
  auto rows = store_.query(std::string("SELECT ") + kColumns + " FROM intel_feeds ORDER BY name");
  if (!rows) return rows.error();
  std::error_code ec;
  fs::create_directories(data_dir_ + "/intel/feeds", ec);
  if (ec) return make_error("write_failed", "cannot create '" + data_dir_ + "/intel/feeds': " + ec.message());
  std::vector<Row> feeds;
  std::vector<FeedFile> files;
  for (const auto& r : *rows) {
    Row row = from_row(r);
    FeedEntry& e = row.entry;
    e.last_pull_at = unix_now();
    e.last_error.clear();
    std::string local = e.source.starts_with("file://") ? e.source.substr(7) : e.source;
    if (fs::is_directory(local, ec)) {
      e.last_status = "ok";  // a MISP feed directory is read in place
      files.push_back({e.name, local, e.format, e.confidence, e.half_life});
    } else if (e.format == FeedFormat::taxii) {
      auto got = fetch_taxii_objects(e.source, row.cursor, e.access);
      if (!got) {
        e.last_status = "error";
        e.last_error = got.error().message;
      } else {
        e.last_status = got->objects.empty() ? "not_modified" : "ok";
        if (!got->objects.empty())
          if (Status s = merge_taxii_objects(content_path(e.name), e.name, got->objects); !s) return s.error();
        if (!got->added_last.empty()) row.cursor = got->added_last;
      }
    } else if (auto got = fetch_feed(e.source, row.etag, row.last_modified, e.access); !got) {
      e.last_status = "error";
      e.last_error = got.error().message;
    } else {
      e.last_status = got->not_modified ? "not_modified" : "ok";
      if (!got->not_modified) {
        if (Status s = write_file_atomically(content_path(e.name), got->body); !s) return s.error();
        row.etag = got->etag;
        row.last_modified = got->last_modified;
      }
    }
    // A feed that failed keeps serving its last good copy.
    if (!fs::is_directory(local, ec) && fs::exists(content_path(e.name), ec))
      files.push_back({e.name, content_path(e.name), e.format, e.confidence, e.half_life});
    feeds.push_back(std::move(row));
  }
  // A sighting in the logs (an alert's last seen) keeps an indicator fresh.
  auto seen = store_.query("SELECT type, indicator, last_seen FROM intel_alerts");
  if (!seen) return seen.error();
  std::map<std::string, int64_t> sightings;
  for (const auto& r : *seen) {
    int64_t& t = sightings[r.text(0) + ":" + r.text(1)];
    t = std::max(t, r.integer(2));
  }
  auto suppressed = AlertBook(store_).suppressed();
  if (!suppressed) return suppressed.error();
  Lifecycle lifecycle;
  lifecycle.suppressed = std::move(*suppressed);
  lifecycle.now = unix_now();
  lifecycle.min_confidence = min_confidence;
  lifecycle.last_sighting = [&](IndicatorType type, std::string_view value) -> int64_t {
    auto it = sightings.find(std::string(type_name(type)) + ":" + std::string(value));
    return it == sightings.end() ? 0 : it->second;
  };
  std::vector<FeedReport> reports;
  auto set = load_indicator_set(files, warning, reports, local, lifecycle);
  if (!set) return set.error();
  PullResult out;
  for (Row& row : feeds) {
    FeedEntry& e = row.entry;
    for (const auto& rep : reports)
      if (rep.name == e.name) {
        e.indicators = rep.stats.indicators;
        e.rejected = rep.stats.rejected;
        e.ignored = rep.stats.ignored;
        e.expired = rep.stats.expired;
        e.decayed = rep.stats.decayed;
        e.rejects = rep.stats.rejects;
        if (e.rejects.size() > kStoredRejects) e.rejects.resize(kStoredRejects);
      }
    auto r = store_.execute(
        "UPDATE intel_feeds SET etag = ?, last_modified = ?, last_pull_at = ?, last_status = ?, status = ?, cursor = ? WHERE name = ?",
        {row.etag, row.last_modified, e.last_pull_at, e.last_status, status_json(e), row.cursor, e.name});
    if (!r) return r.error();
    out.feeds.push_back(e);
  }
  for (const LocalFeed& l : local)
    for (const auto& rep : reports)
      if (rep.name == l.name) {
        FeedEntry e;
        e.name = l.name;
        e.source = "wardline";
        e.confidence = l.confidence;
        e.last_pull_at = unix_now();
        e.last_status = "ok";
        e.indicators = rep.stats.indicators;
        e.rejected = rep.stats.rejected;
        e.ignored = rep.stats.ignored;
        e.rejects = rep.stats.rejects;
        out.feeds.push_back(std::move(e));
      }
  if (Status s = save_snapshot(**set, snapshot_path()); !s) return s.error();
  out.indicators = (*set)->size();
  out.warninglisted = (*set)->warninglisted();
  out.memory_bytes = (*set)->memory_bytes();
  return out;
}

}  // namespace wardline::intel
