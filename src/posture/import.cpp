// Reading inventory files: the dispatch by source, the lenient readers of
// vendor JSON, and the join of several files into one inventory.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "posture/import_parsers.h"

namespace wardline::posture {

namespace detail {

namespace {

// nlohmann's message without its "[json.exception...] " prefix and without
// the bytes it last read (they may be anything).
std::string exception_text(const Json::exception& e) {
  std::string what = e.what();
  size_t start = what.find("] ");
  what = start == std::string::npos ? what : what.substr(start + 2);
  size_t last_read = what.find("; last read");
  return what.substr(0, last_read);
}

}  // namespace

Result<Json> parse_json(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return make_error("invalid_json", "not valid JSON (" + exception_text(e) + ")");
  }
}

Result<Json> parse_json_file(std::string_view text, const std::string& file, const std::string& expected) {
  auto doc = parse_json(text);
  if (!doc) return make_error("invalid_json", file + ": " + doc.error().message + "; expected " + expected);
  return doc;
}

const Json* object_at(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

const Json* array_at(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? &*it : nullptr;
}

std::string text_at(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return {};
}

std::string first_text(const Json& obj, std::initializer_list<const char*> keys) {
  for (const char* key : keys)
    if (std::string t = text_at(obj, key); !t.empty()) return t;
  return {};
}

std::optional<bool> flag_at(const Json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

}  // namespace detail

Result<ImportBatch> parse_inventory(ImportSource source, std::string_view text, const std::string& file_name) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return make_error("invalid_inventory", file_name + ": the file is empty; export the devices again");
  switch (source) {
    case ImportSource::intune: return detail::parse_intune(text, file_name);
    case ImportSource::jamf: return detail::parse_jamf(text, file_name);
    case ImportSource::csv: return detail::parse_generic_csv(text, file_name);
    case ImportSource::json: return detail::parse_generic_json(text, file_name);
  }
  return make_error("invalid_argument", "unknown import source; use intune, jamf, csv or json");
}

namespace {

// An app joins a device once: a later report of the same app id replaces it.
void add_app(Device& d, App&& app) {
  auto same = std::find_if(d.apps.begin(), d.apps.end(), [&](const App& a) { return a.id == app.id; });
  if (same == d.apps.end())
    d.apps.push_back(std::move(app));
  else
    *same = std::move(app);
}

// The same device from a later page or file: what it reports wins, what it
// leaves out is kept.
void merge_device(Device& into, Device&& from) {
  // Pages add to the lists; everything else is as a check-in overlays it.
  std::vector<App> apps = std::move(from.apps);
  std::vector<std::string> tags = std::move(from.tags), addresses = std::move(from.ip_addresses);
  from.apps.clear();
  from.tags.clear();
  from.ip_addresses.clear();
  overlay(into, from);
  for (App& app : apps) add_app(into, std::move(app));
  for (auto* list : {&tags, &addresses}) {
    auto& target = list == &tags ? into.tags : into.ip_addresses;
    for (std::string& item : *list)
      if (std::find(target.begin(), target.end(), item) == target.end()) target.push_back(std::move(item));
  }
}

}  // namespace

ImportBatch merge_import(std::vector<ImportBatch> batches) {
  ImportBatch out;
  std::unordered_map<std::string, size_t> position;  // device id -> index in out.devices
  for (ImportBatch& batch : batches) {
    for (Device& d : batch.devices) {
      auto [it, added] = position.emplace(d.id, out.devices.size());
      if (added)
        out.devices.push_back(std::move(d));
      else
        merge_device(out.devices[it->second], std::move(d));
    }
    for (ImportProblem& p : batch.problems) out.problems.push_back(std::move(p));
    out.pages += batch.pages;
    out.pages_with_next += batch.pages_with_next;
  }
  // Apps join after every device is in: a detectedApps page may come first.
  std::map<std::string, std::vector<std::string>> orphans;  // device id -> app names
  for (ImportBatch& batch : batches) {
    for (auto& [device_id, app] : batch.device_apps) {
      auto it = position.find(device_id);
      if (it == position.end())
        orphans[device_id].push_back(app.name.empty() ? app.id : app.name);
      else
        add_app(out.devices[it->second], std::move(app));
    }
  }
  for (const auto& [device_id, apps] : orphans) {
    std::string more = apps.size() > 1 ? " (and " + std::to_string(apps.size() - 1) + " more)" : "";
    out.problems.push_back(
        {"device " + device_id, "app \"" + apps.front() + "\"" + more + " links to device " + device_id +
                                    " which is in none of the files given; import " +
                                    "the managedDevices pages together with the detectedApps pages"});
  }
  if (out.pages > 0 && out.pages == out.pages_with_next)
    out.problems.push_back({"Graph pages",
                            "export is incomplete: every page has @odata.nextLink; the last page "
                            "(without one) is missing. Follow @odata.nextLink until a page has none "
                            "and import every page"});
  return out;
}

}  // namespace wardline::posture
