// STIX 2.1 bundles: every `indicator` object with pattern_type "stix"
// becomes the indicators its pattern names (see stix_pattern.cpp), with the
// object's confidence, labels, indicator_types and validity window.
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "intel/feeds/feed_values.h"
#include "intel/intel.h"

namespace wardline::intel {
namespace {

std::string string_at(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void add_strings(const nlohmann::json& o, const char* key, std::vector<std::string>& out) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) return;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
}

}  // namespace

Status read_stix_bundle(std::string_view json, const IndicatorSink& sink, FeedStats& stats) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) return make_error("invalid_feed", "not valid JSON (expected a STIX 2.1 bundle)");
  if (!doc.is_object() || string_at(doc, "type") != "bundle")
    return make_error("invalid_feed", "expected a STIX 2.1 bundle: an object with \"type\": \"bundle\"");
  auto objects = doc.find("objects");
  if (objects == doc.end()) return Status::Ok();  // an empty bundle
  if (!objects->is_array()) return make_error("invalid_feed", "the bundle's \"objects\" must be an array");
  for (const auto& o : *objects) {
    if (!o.is_object() || string_at(o, "type") != "indicator") continue;
    std::string id = string_at(o, "id");
    std::string where = id.empty() ? "indicator without id" : id;
    if (o.value("revoked", false) == true) {
      ++stats.ignored;
      continue;
    }
    std::string pattern_type = string_at(o, "pattern_type");
    if (pattern_type != "stix") {
      ++stats.ignored;  // sigma, snort, yara ... are for other engines
      continue;
    }
    auto iocs = stix_pattern_iocs(string_at(o, "pattern"));
    if (!iocs) {
      stats.reject(where, iocs.error().message);
      continue;
    }
    if (!iocs->unsupported.empty()) {
      stats.reject(where, "pattern cannot be matched value by value: " + iocs->unsupported);
      continue;
    }
    Indicator base;
    if (auto c = o.find("confidence"); c != o.end() && c->is_number_integer()) base.confidence = c->get<int>();
    add_strings(o, "labels", base.labels);
    add_strings(o, "indicator_types", base.labels);
    if (auto t = parse_rfc3339(string_at(o, "valid_from"))) base.valid_from = *t;
    if (auto t = parse_rfc3339(string_at(o, "valid_until"))) base.valid_until = *t;
    for (auto& [type, value] : iocs->iocs) {
      Indicator ind = base;
      ind.type = type;
      emit_normalized(std::move(ind), value, [&] { return where; }, sink, stats);
    }
  }
  return Status::Ok();
}

}  // namespace wardline::intel
