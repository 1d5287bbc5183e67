// MISP events: {"Event": {...}}, the bare event body, or a REST search
// result {"response": [{"Event": ...}]}. Attributes (top level and inside
// objects) with to_ids true become indicators; to_ids false (links,
// comments, context) and deleted ones are ignored. Composite types split at
// the first '|' (domain|ip gives both halves; filename|sha256 the hash).
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "intel/feeds/feed_values.h"
#include "intel/intel.h"

namespace wardline::intel {
namespace {

std::string text_of(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return {};
}

bool truthy(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number_integer()) return it->get<int64_t>() != 0;
  if (it->is_string()) return it->get<std::string>() == "1" || it->get<std::string>() == "true";
  return false;
}

void add_tags(const nlohmann::json& o, std::vector<std::string>& out) {
  auto it = o.find("Tag");
  if (it == o.end() || !it->is_array()) return;
  for (const auto& t : *it)
    if (t.is_object()) {
      std::string name = text_of(t, "name");
      if (!name.empty()) out.push_back(name);
    }
}

// (type, value) pairs of one attribute, or empty when its type is not matchable.
std::vector<std::pair<IndicatorType, std::string>> attribute_values(const std::string& type, const std::string& value) {
  auto ip_type = [](const std::string& v) { return v.find(':') != std::string::npos ? IndicatorType::ipv6 : IndicatorType::ipv4; };
  std::string first = value.substr(0, value.find('|'));
  std::string second = value.find('|') == std::string::npos ? std::string() : value.substr(value.find('|') + 1);
  if (type == "domain" || type == "hostname") return {{IndicatorType::domain, value}};
  if (type == "hostname|port") return {{IndicatorType::domain, first}};
  if (type == "url" || type == "link") return {{IndicatorType::url, value}};
  if (type == "ip-dst" || type == "ip-src") return {{ip_type(value), value}};
  if (type == "ip-dst|port" || type == "ip-src|port") return {{ip_type(first), first}};
  if (type == "domain|ip") return {{IndicatorType::domain, first}, {ip_type(second), second}};
  if (type == "email" || type == "email-src") return {{IndicatorType::email, value}};
  if (type == "phone-number") return {{IndicatorType::phone, value}};
  if (type == "sha256") return {{IndicatorType::sha256, value}};
  if (type == "sha1") return {{IndicatorType::sha1, value}};
  if (type == "md5") return {{IndicatorType::md5, value}};
  if (type == "filename|sha256") return {{IndicatorType::sha256, second}};
  if (type == "filename|sha1") return {{IndicatorType::sha1, second}};
  if (type == "filename|md5") return {{IndicatorType::md5, second}};
  return {};
}

void read_attribute(const nlohmann::json& a, const std::vector<std::string>& event_tags, const IndicatorSink& sink,
                    FeedStats& stats) {
  if (!a.is_object()) return;
  std::string uuid = text_of(a, "uuid");
  std::string where = "attribute " + (uuid.empty() ? std::string("without uuid") : uuid);
  if (!truthy(a, "to_ids") || truthy(a, "deleted")) {
    ++stats.ignored;
    return;
  }
  std::string type = text_of(a, "type"), value = text_of(a, "value");
  auto values = attribute_values(type, value);
  if (values.empty()) {
    stats.reject(where, "MISP type '" + type + "' is not a network, phone or file-hash indicator");
    return;
  }
  Indicator base;
  base.labels = event_tags;
  add_tags(a, base.labels);
  if (auto t = parse_rfc3339(text_of(a, "first_seen"))) base.valid_from = *t;
  for (auto& [t, v] : values) {
    Indicator ind = base;
    ind.type = t;
    emit_normalized(std::move(ind), v, [&] { return where; }, sink, stats);
  }
}

}  // namespace

Status read_misp_event(std::string_view json, const IndicatorSink& sink, FeedStats& stats) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded()) return make_error("invalid_feed", "not valid JSON (expected a MISP event)");
  std::vector<const nlohmann::json*> events;
  if (doc.is_object() && doc.contains("response") && doc["response"].is_array()) {
    for (const auto& r : doc["response"])
      if (r.is_object() && r.contains("Event") && r["Event"].is_object()) events.push_back(&r["Event"]);
  } else if (doc.is_object() && doc.contains("Event") && doc["Event"].is_object()) {
    events.push_back(&doc["Event"]);
  } else if (doc.is_object() && (doc.contains("Attribute") || doc.contains("Object"))) {
    events.push_back(&doc);
  } else {
    return make_error("invalid_feed", "expected a MISP event: {\"Event\": {...}} or an event with \"Attribute\"");
  }
  for (const nlohmann::json* e : events) {
    std::vector<std::string> tags;
    add_tags(*e, tags);
    if (auto it = e->find("Attribute"); it != e->end() && it->is_array())
      for (const auto& a : *it) read_attribute(a, tags, sink, stats);
    if (auto it = e->find("Object"); it != e->end() && it->is_array())
      for (const auto& o : *it)
        if (o.is_object())
          if (auto attrs = o.find("Attribute"); attrs != o.end() && attrs->is_array())
            for (const auto& a : *attrs) read_attribute(a, tags, sink, stats);
  }
  return Status::Ok();
}

}  // namespace wardline::intel
