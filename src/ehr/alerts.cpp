// Stored EHR alerts (table ehr_alerts) and the risk they add up to.
#include <nlohmann/json.hpp>

#include <cmath>

#include "core/time.h"
#include "ehr/ehr.h"
#include "store/store.h"

namespace wardline::ehr {

std::string to_json(const Alert& a) {
  nlohmann::json j = {{"id", a.id},
                      {"user", a.user},
                      {"kind", a.kind},
                      {"severity", a.severity},
                      {"weight", a.weight},
                      {"at", to_rfc3339(a.at)},
                      {"explanation", a.explanation},
                      {"details", a.details}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Alert> alert_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return make_error("invalid_alert", "a stored EHR alert is not a JSON object");
  try {
    Alert a;
    a.id = j.at("id").get<std::string>();
    a.user = j.at("user").get<std::string>();
    a.kind = j.at("kind").get<std::string>();
    a.severity = j.at("severity").get<std::string>();
    a.weight = j.at("weight").get<double>();
    auto at = parse_rfc3339(j.at("at").get<std::string>());
    if (!at) return make_error("invalid_alert", "EHR alert " + a.id + ": 'at' is not RFC 3339");
    a.at = *at;
    a.explanation = j.at("explanation").get<std::string>();
    a.details = j.value("details", std::map<std::string, std::string>{});
    return a;
  } catch (const nlohmann::json::exception& e) {
    return make_error("invalid_alert", std::string("a stored EHR alert is missing a field: ") + e.what());
  }
}

AlertBook::AlertBook(store::Store& store) : store_(store) {}

Status AlertBook::add(const Alert& a) {
  auto r = store_.execute("INSERT INTO ehr_alerts (id, user_name, kind, at, milli_weight, body) VALUES (?, ?, ?, ?, ?, ?)",
                          {a.id, a.user, a.kind, a.at, static_cast<int64_t>(std::llround(a.weight * 1000)), to_json(a)});
  return r ? Status() : Status(r.error());
}

Status AlertBook::remove(const std::string& id) {
  auto r = store_.execute("DELETE FROM ehr_alerts WHERE id = ?", {id});
  return r ? Status() : Status(r.error());
}

Result<std::optional<Alert>> AlertBook::get(const std::string& id) {
  auto rows = store_.query("SELECT body FROM ehr_alerts WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Alert>();
  auto a = alert_from_json(rows->front().text(0));
  if (!a) return a.error();
  return std::optional<Alert>(std::move(*a));
}

// Newest first; the cursor is the last alert's "at:id".
Result<AlertPage> AlertBook::list(const AlertFilter& f) {
  std::string sql = "SELECT body, at, id FROM ehr_alerts WHERE 1 = 1";
  store::Params params;
  if (!f.user.empty()) {
    sql += " AND user_name = ?";
    params.emplace_back(f.user);
  }
  if (!f.kind.empty()) {
    sql += " AND kind = ?";
    params.emplace_back(f.kind);
  }
  if (!f.since.empty()) {
    auto since = parse_rfc3339(f.since);
    if (!since) return make_error("invalid_request", "since must be RFC 3339, e.g. 2026-11-28T00:00:00Z", "since");
    sql += " AND at >= ?";
    params.emplace_back(*since);
  }
  if (!f.cursor.empty()) {
    size_t colon = f.cursor.find(':');
    int64_t at = 0;
    try {
      if (colon == std::string::npos) throw std::invalid_argument("no colon");
      at = std::stoll(f.cursor.substr(0, colon));
    } catch (const std::exception&) {
      return make_error("invalid_request", "cursor is not one this API returned", "cursor");
    }
    sql += " AND (at < ? OR (at = ? AND id < ?))";
    params.emplace_back(at);
    params.emplace_back(at);
    params.emplace_back(f.cursor.substr(colon + 1));
  }
  const int limit = std::clamp(f.limit, 1, 1000);
  sql += " ORDER BY at DESC, id DESC LIMIT " + std::to_string(limit + 1);
  auto rows = store_.query(sql, params);
  if (!rows) return rows.error();
  AlertPage page;
  for (const auto& row : *rows) {
    if (static_cast<int>(page.alerts.size()) == limit) {
      const Alert& last = page.alerts.back();
      page.next_cursor = std::to_string(last.at) + ":" + last.id;
      break;
    }
    auto a = alert_from_json(row.text(0));
    if (!a) return a.error();
    page.alerts.push_back(std::move(*a));
  }
  return page;
}

Result<double> AlertBook::risk(const std::string& user, int64_t at, double half_life_hours) {
  const double half_life = half_life_hours * 3600;
  // Older than ten half-lives adds less than a thousandth of its weight.
  auto rows = store_.query("SELECT at, milli_weight FROM ehr_alerts WHERE user_name = ? AND at > ? AND at <= ?",
                           {user, at - static_cast<int64_t>(10 * half_life), at});
  if (!rows) return rows.error();
  double risk = 0;
  for (const auto& row : *rows)
    risk += row.integer(1) / 1000.0 * std::exp2(-(at - row.integer(0)) / half_life);
  return risk;
}

}  // namespace wardline::ehr
