// Advisories in the store, one JSON document per id. Sources complement
// each other: KEV says a CVE is exploited, NVD which versions it affects, a
// local advisory what the hospital knows. Merging never loses what any
// source said: flags are OR-ed, severity and score take the maximum, the
// clock starts at the earliest publication, affected ranges are united.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "posture/posture.h"
#include "store/store.h"

namespace wardline::posture {
namespace {

using nlohmann::json;

// The version fields of an affected range, by their JSON names.
constexpr std::pair<const char*, std::string AffectedRange::*> kRangeFields[] = {
    {"product", &AffectedRange::product},
    {"version", &AffectedRange::version},
    {"start_including", &AffectedRange::start_including},
    {"start_excluding", &AffectedRange::start_excluding},
    {"end_including", &AffectedRange::end_including},
    {"end_excluding", &AffectedRange::end_excluding},
    {"fixed_patch_level", &AffectedRange::fixed_patch_level}};

bool same_range(const AffectedRange& a, const AffectedRange& b) {
  return std::all_of(std::begin(kRangeFields), std::end(kRangeFields),
                     [&](const auto& f) { return a.*(f.second) == b.*(f.second); });
}

std::string to_json(const Advisory& a) {
  json affected = json::array();
  for (const auto& r : a.affected) {
    json range = json::object();
    for (const auto& [name, field] : kRangeFields)
      if (!(r.*field).empty()) range[name] = r.*field;
    affected.push_back(std::move(range));
  }
  json doc{{"id", a.id},
           {"sources", a.sources},
           {"severity", name_of(a.severity)},
           {"cvss", a.cvss},
           {"known_exploited", a.known_exploited},
           {"published", a.published},
           {"title", a.title},
           {"affected", std::move(affected)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string text_of(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Advisory> from_json(const std::string& id, const std::string& text) {
  auto doc = json::parse(text, nullptr, false);
  auto severity = parse_severity(doc.is_object() ? text_of(doc, "severity") : "");
  if (!severity)
    return make_error("corrupt_advisory", "posture_advisories row '" + id +
                                              "' does not hold an advisory; delete the row and import the "
                                              "advisories again");
  Advisory a;
  a.id = id;
  a.severity = *severity;
  a.title = text_of(doc, "title");
  if (auto it = doc.find("cvss"); it != doc.end() && it->is_number()) a.cvss = it->get<double>();
  if (auto it = doc.find("known_exploited"); it != doc.end() && it->is_boolean()) a.known_exploited = it->get<bool>();
  if (auto it = doc.find("published"); it != doc.end() && it->is_number_integer()) a.published = it->get<int64_t>();
  if (auto it = doc.find("sources"); it != doc.end() && it->is_array())
    for (const auto& s : *it)
      if (s.is_string()) a.sources.push_back(s.get<std::string>());
  if (auto it = doc.find("affected"); it != doc.end() && it->is_array())
    for (const auto& x : *it) {
      AffectedRange r;
      for (const auto& [name, field] : kRangeFields) r.*field = text_of(x, name);
      a.affected.push_back(std::move(r));
    }
  return a;
}

// Folds `from` into `into` (the older knowledge).
void merge(Advisory& into, const Advisory& from) {
  for (const auto& s : from.sources)
    if (std::find(into.sources.begin(), into.sources.end(), s) == into.sources.end()) into.sources.push_back(s);
  into.known_exploited = into.known_exploited || from.known_exploited;
  into.severity = std::max(into.severity, from.severity);
  into.cvss = std::max(into.cvss, from.cvss);
  if (into.published == 0 || (from.published != 0 && from.published < into.published)) into.published = from.published;
  for (const auto& r : from.affected)
    if (std::none_of(into.affected.begin(), into.affected.end(), [&](const AffectedRange& x) { return same_range(x, r); }))
      into.affected.push_back(r);
  if (into.title.empty()) into.title = from.title;
}

}  // namespace

AdvisoryBook::AdvisoryBook(store::Store& store) : store_(store) {}

Result<AdvisoryBook::Counts> AdvisoryBook::upsert(const std::vector<Advisory>& advisories) {
  // The same id twice in one import (KEV and NVD files together) is one advisory.
  std::map<std::string, Advisory> incoming;
  for (const auto& a : advisories) {
    auto [it, fresh] = incoming.try_emplace(a.id, a);
    if (!fresh) merge(it->second, a);
  }
  Counts counts;
  int64_t now = unix_now();
  Status s = store_.transaction([&](store::Executor& tx) -> Status {
    for (auto& [id, a] : incoming) {
      auto rows = tx.query("SELECT advisory FROM posture_advisories WHERE id = ?", {id});
      if (!rows) return rows.error();
      if (rows->empty()) {
        auto r = tx.execute("INSERT INTO posture_advisories (id, advisory, updated_at) VALUES (?, ?, ?)",
                            {id, to_json(a), now});
        if (!r) return r.error();
        ++counts.added;
        continue;
      }
      std::string stored_text = rows->front().text(0);
      auto stored = from_json(id, stored_text);
      if (!stored) return stored.error();
      merge(*stored, a);
      std::string merged = to_json(*stored);
      if (merged == stored_text) continue;  // nothing new
      auto r = tx.execute("UPDATE posture_advisories SET advisory = ?, updated_at = ? WHERE id = ?", {merged, now, id});
      if (!r) return r.error();
      ++counts.updated;
    }
    return Status::Ok();
  });
  if (!s) return s.error();
  return counts;
}

Result<std::vector<Advisory>> AdvisoryBook::all() {
  auto rows = store_.query("SELECT id, advisory FROM posture_advisories ORDER BY id");
  if (!rows) return rows.error();
  std::vector<Advisory> out;
  out.reserve(rows->size());
  for (const auto& row : *rows) {
    auto a = from_json(row.text(0), row.text(1));
    if (!a) return a.error();
    out.push_back(std::move(*a));
  }
  return out;
}

}  // namespace wardline::posture
