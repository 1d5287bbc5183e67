// Threat-intel alerts: rows in intel_alerts, one open alert per indicator.
#include <map>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/time.h"
#include "intel/intel.h"
#include "store/store.h"

namespace wardline::intel {
namespace {

constexpr const char* kColumns = "id, indicator, type, status, first_seen, last_seen, hits, confidence, campaign_id, detail";
constexpr std::string_view kStatuses[] = {"open", "acknowledged", "closed", "false_positive"};

bool known_status(std::string_view s) {
  for (auto k : kStatuses)
    if (k == s) return true;
  return false;
}

std::string campaign_of(const std::vector<std::string>& labels) {
  for (const auto& l : labels)
    if (l.starts_with("campaign:")) return l.substr(9);
  return {};
}

std::string detail_json(const Alert& a) {
  return nlohmann::json{{"feeds", a.feeds},
                        {"labels", a.labels},
                        {"last", {{"source", a.last_source}, {"field", a.last_field}, {"observed", a.last_observed},
                                  {"timestamp", a.last_timestamp}, {"client", a.last_client}, {"device", a.last_device},
                                  {"user", a.last_user}}}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Alert from_row(const store::Row& r) {
  Alert a;
  a.id = r.text(0);
  a.indicator = r.text(1);
  a.type = parse_type(r.text(2)).value_or(IndicatorType::domain);
  a.status = r.text(3);
  a.first_seen = r.integer(4);
  a.last_seen = r.integer(5);
  a.hits = r.integer(6);
  a.confidence = static_cast<int>(r.integer(7));
  a.campaign_id = r.text(8);
  auto d = nlohmann::json::parse(r.text(9), nullptr, false);
  if (d.is_object()) {
    if (d.contains("feeds") && d["feeds"].is_array()) a.feeds = d["feeds"].get<std::vector<std::string>>();
    if (d.contains("labels") && d["labels"].is_array()) a.labels = d["labels"].get<std::vector<std::string>>();
    if (d.contains("last") && d["last"].is_object()) {
      const auto& l = d["last"];
      a.last_source = l.value("source", "");
      a.last_field = l.value("field", "");
      a.last_observed = l.value("observed", "");
      a.last_timestamp = l.value("timestamp", "");
      a.last_client = l.value("client", "");
      a.last_device = l.value("device", "");
      a.last_user = l.value("user", "");
    }
  }
  return a;
}

}  // namespace

Sighting sighting_of(const Match& match, std::string source, std::string_view field, std::string_view observed,
                     std::string_view timestamp, int64_t at) {
  Sighting s;
  s.indicator = match.value;
  s.type = match.type;
  s.feeds = match.provenance->feeds;
  s.labels = match.provenance->labels;
  s.confidence = match.provenance->confidence;
  s.source = std::move(source);
  s.field = std::string(field);
  if (observed.find("://") != std::string_view::npos) observed = observed.substr(0, observed.find('?'));
  s.observed = std::string(observed.substr(0, 2048));
  s.timestamp = std::string(timestamp.substr(0, 64));
  s.at = at;
  return s;
}

Sighting sighting_of(const Hit& hit, std::string source, int64_t at) {
  Sighting s = sighting_of(hit.match, std::move(source), hit.field, hit.observed, hit.timestamp, at);
  s.client = std::string(hit.client.substr(0, 64));
  return s;
}

AlertBook::AlertBook(store::Store& store) : store_(store) {}

Result<AlertBook::Changes> AlertBook::record(const std::vector<Sighting>& sightings) {
  // Per indicator: how many sightings, and the last one.
  std::map<std::string, std::pair<int64_t, const Sighting*>> by_indicator;
  for (const auto& s : sightings) {
    auto& [count, last] = by_indicator[s.indicator];
    ++count;
    last = &s;
  }
  Changes out;
  Status st = store_.transaction([&](store::Executor& tx) -> Status {
    out = {};
    for (const auto& [indicator, entry] : by_indicator) {
      const auto& [count, s] = entry;
      auto fp = tx.query("SELECT 1 FROM intel_suppressions WHERE type = ? AND indicator = ?",
                         {std::string(type_name(s->type)), indicator});
      if (!fp) return fp.error();
      if (!fp->empty()) continue;  // an analyst called it a false positive
      auto rows = tx.query(std::string("SELECT ") + kColumns + " FROM intel_alerts WHERE indicator = ? AND status IN ('open', 'acknowledged')",
                           {indicator});
      if (!rows) return rows.error();
      Alert a;
      bool created = rows->empty();
      if (created) {
        a.id = new_id("ia");
        a.indicator = indicator;
        a.type = s->type;
        a.status = "open";
        a.first_seen = s->at;
      } else {
        a = from_row(rows->front());
      }
      a.last_seen = std::max(a.last_seen, s->at);
      a.hits += count;
      a.confidence = s->confidence;
      a.feeds = s->feeds;
      a.labels = s->labels;
      a.campaign_id = campaign_of(s->labels);
      a.last_source = s->source;
      a.last_field = s->field;
      a.last_observed = s->observed;
      a.last_timestamp = s->timestamp;
      a.last_client = s->client;
      a.last_device = s->device;
      a.last_user = s->user;
      Result<int64_t> r =
          created ? tx.execute(std::string("INSERT INTO intel_alerts (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               {a.id, a.indicator, std::string(type_name(a.type)), a.status, a.first_seen, a.last_seen, a.hits,
                                int64_t{a.confidence}, a.campaign_id, detail_json(a)})
                  : tx.execute("UPDATE intel_alerts SET last_seen = ?, hits = ?, confidence = ?, campaign_id = ?, detail = ? "
                               "WHERE id = ?",
                               {a.last_seen, a.hits, int64_t{a.confidence}, a.campaign_id, detail_json(a), a.id});
      if (!r) return r.error();
      (created ? out.created : out.updated).push_back(std::move(a));
    }
    return Status::Ok();
  });
  if (!st) return st.error();
  return out;
}

Status AlertBook::withdraw(const std::vector<std::string>& ids) {
  return store_.transaction([&](store::Executor& tx) -> Status {
    for (const auto& id : ids)
      if (auto r = tx.execute("DELETE FROM intel_alerts WHERE id = ?", {id}); !r) return r.error();
    return Status::Ok();
  });
}

Result<std::string> AlertBook::set_status(const std::string& id, const std::string& status) {
  if (!known_status(status))
    return make_error("invalid_status", "status '" + status + "' is not one of open, acknowledged, closed, false_positive", "status");
  std::string previous;
  Status st = store_.transaction([&](store::Executor& tx) -> Status {
    auto rows = tx.query("SELECT status, indicator FROM intel_alerts WHERE id = ?", {id});
    if (!rows) return rows.error();
    if (rows->empty()) return make_error("not_found", "no threat-intel alert '" + id + "'");
    previous = (*rows)[0].text(0);
    // Reopening is refused when a newer alert for the indicator is already open.
    if ((status == "open" || status == "acknowledged") && previous != "open" && previous != "acknowledged") {
      auto other = tx.query("SELECT id FROM intel_alerts WHERE indicator = ? AND id <> ? AND status IN ('open', 'acknowledged')",
                            {(*rows)[0].text(1), id});
      if (!other) return other.error();
      if (!other->empty())
        return make_error("conflict", "alert " + (*other)[0].text(0) + " is already open for this indicator; triage that one");
    }
    auto r = tx.execute("UPDATE intel_alerts SET status = ? WHERE id = ?", {status, id});
    if (!r) return r.error();
    auto type = tx.query("SELECT type, indicator FROM intel_alerts WHERE id = ?", {id});
    if (!type) return type.error();
    std::string t = (*type)[0].text(0), value = (*type)[0].text(1);
    if (status == "false_positive" && previous != "false_positive") {
      auto s = tx.execute("INSERT INTO intel_suppressions (type, indicator, alert_id, added_at) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (type, indicator) DO NOTHING",
                          {t, value, id, unix_now()});
      if (!s) return s.error();
    } else if (status != "false_positive" && previous == "false_positive") {
      auto s = tx.execute("DELETE FROM intel_suppressions WHERE type = ? AND indicator = ?", {t, value});
      if (!s) return s.error();
    }
    return Status::Ok();
  });
  if (!st) return st.error();
  return previous;
}

Result<std::set<std::string>> AlertBook::suppressed() {
  auto rows = store_.query("SELECT type, indicator FROM intel_suppressions");
  if (!rows) return rows.error();
  std::set<std::string> out;
  for (const auto& r : *rows) out.insert(r.text(0) + ":" + r.text(1));
  return out;
}

Result<AlertBook::Page> AlertBook::list(const std::string& status, const std::string& cursor, int limit) {
  if (!status.empty() && !known_status(status))
    return make_error("invalid_status", "status '" + status + "' is not one of open, acknowledged, closed, false_positive", "status");
  // Cursor: "<last_seen>.<id>" of the last alert of the previous page.
  int64_t seen = INT64_MAX;
  std::string after_id;
  if (!cursor.empty()) {
    size_t dot = cursor.find('.');
    bool ok = dot != std::string::npos && dot > 0 && dot < 20 &&
              cursor.substr(0, dot).find_first_not_of("0123456789") == std::string::npos;
    if (!ok) return make_error("invalid_cursor", "cursor '" + cursor + "' is not one this server gave out", "cursor");
    seen = std::stoll(cursor.substr(0, dot));
    after_id = cursor.substr(dot + 1);
  }
  auto rows = store_.query(std::string("SELECT ") + kColumns +
                               " FROM intel_alerts WHERE (last_seen < ? OR (last_seen = ? AND id > ?)) AND (? = '' OR status = ?) "
                               "ORDER BY last_seen DESC, id LIMIT ?",
                           {seen, seen, after_id, status, status, int64_t{limit} + 1});
  if (!rows) return rows.error();
  Page page;
  for (const auto& r : *rows) page.alerts.push_back(from_row(r));
  if (page.alerts.size() > static_cast<size_t>(limit)) {
    page.alerts.resize(static_cast<size_t>(limit));
    page.next_cursor = std::to_string(page.alerts.back().last_seen) + "." + page.alerts.back().id;
  }
  return page;
}

Result<Alert> AlertBook::get(const std::string& id) {
  auto rows = store_.query(std::string("SELECT ") + kColumns + " FROM intel_alerts WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return make_error("not_found", "no threat-intel alert '" + id + "'");
  return from_row(rows->front());
}

}  // namespace wardline::intel
