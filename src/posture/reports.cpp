// Compliance reports over the whole inventory: the quarterly app inventory
// audit, the patch-SLA report and the fleet summary, as text, CSV or JSON.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/csv.h"
#include "core/time.h"
#include "posture/posture.h"

namespace wardline::posture {
namespace {

struct Table {
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
  nlohmann::json summary = nlohmann::json::object();
};

std::string cell_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string render(const Table& t, ReportFormat format, int64_t now) {
  if (format == ReportFormat::json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : t.rows) {
      nlohmann::json o = nlohmann::json::object();
      for (size_t i = 0; i < t.columns.size(); ++i) o[t.columns[i]] = r[i];
      rows.push_back(std::move(o));
    }
    return nlohmann::json{{"report", t.title}, {"generated_at", to_rfc3339(now)}, {"summary", t.summary}, {"rows", rows}}
               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
  }
  std::string out;
  if (format == ReportFormat::csv) {
    for (size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + t.columns[i];
    out += "\n";
    for (const auto& r : t.rows) {
      for (size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + csv_field(cell_text(r[i]));
      out += "\n";
    }
    return out;
  }
  // Text: a title, the summary, then aligned columns (the last one ragged).
  out = t.title + " report, " + to_rfc3339(now) + "\n";
  for (auto it = t.summary.begin(); it != t.summary.end(); ++it) out += "  " + it.key() + ": " + cell_text(*it) + "\n";
  out += "\n";
  std::vector<size_t> width(t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i) width[i] = t.columns[i].size();
  for (const auto& r : t.rows)
    for (size_t i = 0; i + 1 < r.size(); ++i) width[i] = std::max(width[i], cell_text(r[i]).size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < cells.size(); ++i) {
      l += cells[i];
      if (i + 1 < cells.size()) l += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    out += l + "\n";
  };
  line(t.columns);
  for (const auto& r : t.rows) {
    std::vector<std::string> cells;
    for (const auto& c : r) cells.push_back(cell_text(c));
    line(cells);
  }
  if (t.rows.empty()) out += "(nothing to report)\n";
  return out;
}

std::string joined(const std::set<std::string>& items, size_t cap = 8) {
  std::string out;
  size_t n = 0;
  for (const auto& i : items) {
    if (n++ == cap) return out + " ...";
    out += (out.empty() ? "" : " ") + i;
  }
  return out;
}

// Apps outside the catalogue, older than its minimum, sideloaded, or
// holding flagged permissions not approved for them: one row per app and
// finding, with how many devices and which versions.
Result<Table> app_audit(DeviceInventory& inv) {
  struct Row {
    std::string name;
    std::set<std::string> versions, detail;
    size_t devices = 0;
  };
  std::map<std::pair<std::string, std::string>, Row> found;  // (app id, finding)
  size_t devices = 0, apps = 0;
  auto policy = inv.policy();
  Status s = inv.each([&](const DeviceRecord& r) {
    ++devices;
    for (const auto& app : r.device.apps) {
      ++apps;
      auto v = policy->judge_app(app);
      auto add = [&](const char* finding, const std::vector<std::string>& detail) {
        Row& row = found[{app.id, finding}];
        if (row.name.empty()) row.name = app.name;
        row.versions.insert(app.version.empty() ? "?" : app.version);
        row.detail.insert(detail.begin(), detail.end());
        ++row.devices;
      };
      if (!v.approved) add("outside_catalogue", {});
      if (v.outdated) add("outdated", {"minimum " + std::string(v.min_version)});
      if (v.sideloaded) add("sideloaded", {});
      if (!v.excessive_permissions.empty()) add("excessive_permissions", v.excessive_permissions);
    }
  });
  if (!s) return s.error();
  Table t{"app-audit", {"app_id", "app_name", "finding", "devices", "versions", "detail"}, {}, {}};
  for (auto& [key, row] : found)
    t.rows.push_back({key.first, row.name, key.second, row.devices, joined(row.versions), joined(row.detail)});
  std::stable_sort(t.rows.begin(), t.rows.end(), [](const auto& a, const auto& b) { return a[3] > b[3]; });
  t.summary = {{"devices", devices}, {"installed_apps", apps}, {"findings", t.rows.size()}};
  return t;
}

// Open advisories on the fleet: one row per advisory and product, with the
// devices exposed, the deadline, and how many are past it.
Result<Table> patch_sla(DeviceInventory& inv, int64_t now) {
  struct Row {
    Exposure sample;
    size_t devices = 0;
    std::set<std::string> versions;
  };
  std::map<std::pair<std::string, std::string>, Row> found;
  std::map<std::string, std::pair<size_t, size_t>> by_severity;  // open, overdue (device exposures)
  std::vector<Exposure> exposures;
  auto advisories = inv.advisories();
  Status s = inv.each([&](const DeviceRecord& r) {
    if (!advisories) return;
    exposures.clear();
    advisories->exposures(r.device, exposures);
    for (const auto& e : exposures) {
      Row& row = found[{e.advisory->id, std::string(e.product)}];
      row.sample = e;
      ++row.devices;
      row.versions.emplace(e.installed);
      auto& sev = by_severity[std::string(name_of(e.severity))];
      ++sev.first;
      if (e.deadline <= now) ++sev.second;
    }
  });
  if (!s) return s.error();
  Table t{"patch-sla", {"advisory", "severity", "known_exploited", "product", "devices", "versions", "deadline", "status"}, {}, {}};
  for (auto& [key, row] : found)
    t.rows.push_back({key.first, std::string(name_of(row.sample.severity)), row.sample.advisory->known_exploited, key.second,
                      row.devices, joined(row.versions), to_rfc3339(row.sample.deadline),
                      row.sample.deadline <= now ? "overdue" : "open"});
  // Overdue first, then by deadline.
  std::stable_sort(t.rows.begin(), t.rows.end(), [](const auto& a, const auto& b) {
    if (a[7] != b[7]) return a[7] == "overdue";
    return a[6].template get<std::string>() < b[6].template get<std::string>();
  });
  for (auto sev : {Severity::critical, Severity::high, Severity::medium, Severity::low}) {
    auto it = by_severity.find(std::string(name_of(sev)));
    size_t open = it == by_severity.end() ? 0 : it->second.first, overdue = it == by_severity.end() ? 0 : it->second.second;
    t.summary[std::string(name_of(sev))] = {{"open", open}, {"overdue", overdue}};
  }
  t.summary["advisories_known"] = advisories ? advisories->advisories().size() : 0;
  return t;
}

// Devices by ownership and platform, by state, with the checks most failed.
Result<Table> fleet(DeviceInventory& inv) {
  struct Row {
    size_t devices = 0;
    std::map<State, size_t> states;
    std::map<std::string, size_t> checks;
  };
  std::map<std::pair<std::string, std::string>, Row> groups;
  std::map<State, size_t> totals;
  size_t devices = 0;
  Status s = inv.each([&](const DeviceRecord& r) {
    Row& row = groups[{std::string(name_of(r.device.ownership)), std::string(name_of(r.device.platform))}];
    ++row.devices;
    ++devices;
    ++row.states[r.standing.state];
    ++totals[r.standing.state];
    for (const auto& f : r.standing.findings)
      if (f.enforcement != Enforcement::report) ++row.checks[f.check];
  });
  if (!s) return s.error();
  Table t{"fleet", {"ownership", "platform", "devices", "compliant", "grace", "noncompliant", "quarantined", "top_failing_checks"}, {}, {}};
  for (auto& [key, row] : groups) {
    std::vector<std::pair<size_t, std::string>> top;
    for (const auto& [check, n] : row.checks) top.push_back({n, check});
    std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::string checks;
    for (size_t i = 0; i < top.size() && i < 3; ++i)
      checks += (i ? " " : "") + top[i].second + "=" + std::to_string(top[i].first);
    t.rows.push_back({key.first, key.second, row.devices, row.states[State::compliant], row.states[State::grace],
                      row.states[State::noncompliant], row.states[State::quarantined], checks});
  }
  t.summary = {{"devices", devices}};
  for (auto st : {State::compliant, State::grace, State::noncompliant, State::quarantined})
    t.summary[std::string(name_of(st))] = totals[st];
  return t;
}

}  // namespace

std::optional<ReportKind> parse_report_kind(std::string_view text) {
  if (text == "app-audit") return ReportKind::app_audit;
  if (text == "patch-sla") return ReportKind::patch_sla;
  if (text == "fleet") return ReportKind::fleet;
  return std::nullopt;
}

std::optional<ReportFormat> parse_report_format(std::string_view text) {
  if (text == "text") return ReportFormat::text;
  if (text == "csv") return ReportFormat::csv;
  if (text == "json") return ReportFormat::json;
  return std::nullopt;
}

Result<std::string> render_report(DeviceInventory& inventory, ReportKind kind, ReportFormat format, int64_t now) {
  Result<Table> t = kind == ReportKind::app_audit ? app_audit(inventory)
                    : kind == ReportKind::patch_sla ? patch_sla(inventory, now)
                                                    : fleet(inventory);
  if (!t) return t.error();
  return render(*t, format, now);
}

}  // namespace wardline::posture
