// The generic device format (docs/devices.md): the Device struct's fields by
// name, as JSON and as text (CSV cells).
#include <algorithm>
#include <charconv>
#include <limits>

#include "core/strings.h"
#include "core/time.h"
#include "posture/import_parsers.h"

namespace wardline::posture {

namespace detail {

namespace {

// Longer passcodes are typing errors, not passcodes.
constexpr int64_t kMaxPasscodeLength = 128;
// 2200-01-01T00:00:00Z: later times overflow the clock's nanoseconds (2262).
constexpr int64_t kLatestTime = 7258118400;

struct TextField {
  std::string_view name;
  std::string Device::*member;
};
constexpr TextField kTextFields[] = {
    {"id", &Device::id},
    {"source", &Device::source},
    {"name", &Device::name},
    {"model", &Device::model},
    {"serial", &Device::serial},
    {"os_version", &Device::os_version},
    {"patch_level", &Device::patch_level},
    {"user", &Device::user},
    {"network_segment", &Device::network_segment},
};

struct FlagField {
  std::string_view name;
  std::optional<bool> Device::*member;
};
constexpr FlagField kFlagFields[] = {
    {"encrypted", &Device::encrypted},   {"passcode_present", &Device::passcode_present},
    {"biometrics", &Device::biometrics}, {"jailbroken", &Device::jailbroken},
    {"unknown_sources", &Device::unknown_sources}, {"cloud_backup", &Device::cloud_backup},
};

const std::vector<std::string_view> kAppFields = {"id", "name", "version", "source", "permissions"};

std::string Device::*text_member(std::string_view name) {
  for (const auto& f : kTextFields)
    if (f.name == name) return f.member;
  return nullptr;
}

std::optional<bool> Device::*flag_member(std::string_view name) {
  for (const auto& f : kFlagFields)
    if (f.name == name) return f.member;
  return nullptr;
}

// A value for an error message: quoted, cut short at a UTF-8 boundary.
std::string shown(std::string_view text) {
  constexpr size_t kShown = 60;
  if (text.size() <= kShown) return "\"" + std::string(text) + "\"";
  return "\"" + std::string(utf8_prefix(text, kShown)) + "...\"";
}

// Calls `fn` with each non-empty, trimmed item of a ';'-separated list.
template <class Fn>
std::optional<std::string> each_item(std::string_view list, Fn fn) {
  while (!list.empty()) {
    size_t end = list.find(';');
    std::string_view item = trimmed(list.substr(0, end));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    if (item.empty()) continue;
    if (auto why = fn(item)) return why;
  }
  return std::nullopt;
}

std::optional<std::string> set_passcode_length(Device& d, int64_t n) {
  if (n < 0 || n > kMaxPasscodeLength)
    return "must be a number of characters from 0 to " + std::to_string(kMaxPasscodeLength) + ", got " +
           std::to_string(n);
  d.passcode_length = static_cast<int>(n);
  return std::nullopt;
}

// "com.epic.haiku@10.2" or "com.epic.haiku@10.2@store".
std::optional<std::string> add_app_from_text(Device& d, std::string_view item) {
  App app;
  size_t at = item.find('@');
  app.id = std::string(trimmed(item.substr(0, at)));
  if (app.id.empty()) return "app " + shown(item) + " has no id; write id@version or id@version@source";
  if (at != std::string_view::npos) {
    std::string_view rest = item.substr(at + 1);
    size_t at2 = rest.find('@');
    app.version = std::string(trimmed(rest.substr(0, at2)));
    if (at2 != std::string_view::npos) {
      std::string_view source = trimmed(rest.substr(at2 + 1));
      if (source.find('@') != std::string_view::npos)
        return "app " + shown(item) + " has more than id@version@source";
      auto s = parse_app_source(source);
      if (!s) return "app " + shown(item) + ": the source must be store, enterprise or sideloaded";
      app.source = *s;
    }
  }
  d.apps.push_back(std::move(app));
  return std::nullopt;
}

std::optional<std::string> read_text(const Json& value, std::string& out) {
  if (!value.is_string()) return std::string("must be a string, not ") + value.type_name();
  out = value.get<std::string>();
  return std::nullopt;
}

std::optional<std::string> read_app(const Json& value, App& app) {
  if (!value.is_object())
    return std::string("must be an object {\"id\": ..., \"version\": ...}, not ") + value.type_name();
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = *it;
    if (v.is_null()) continue;
    std::optional<std::string> why;
    if (key == "id") {
      why = read_text(v, app.id);
    } else if (key == "name") {
      why = read_text(v, app.name);
    } else if (key == "version") {
      why = read_text(v, app.version);
      if (why) why = *why + " (quote versions: \"10.2\")";
    } else if (key == "source") {
      std::string text;
      why = read_text(v, text);
      if (!why) {
        auto source = parse_app_source(text);
        if (source)
          app.source = *source;
        else
          why = "must be store, enterprise, sideloaded or unknown; got " + shown(text);
      }
    } else if (key == "permissions") {
      if (!v.is_array()) {
        why = std::string("must be an array of strings, not ") + v.type_name();
      } else {
        for (const Json& p : v) {
          if (!p.is_string()) {
            why = std::string("must hold strings only, not ") + p.type_name();
            break;
          }
          app.permissions.push_back(p.get<std::string>());
        }
      }
    } else {
      return "unknown field " + shown(key) + unknown_field_hint(key, kAppFields);
    }
    if (why) return "\"" + key + "\" " + *why;
  }
  if (app.id.empty()) return "\"id\" is required (the bundle id or package name)";
  return std::nullopt;
}

std::optional<std::string> read_apps(Device& d, const Json& value) {
  if (!value.is_array()) return std::string("must be an array of app objects, not ") + value.type_name();
  for (size_t i = 0; i < value.size(); ++i) {
    App app;
    if (auto why = read_app(value[i], app)) return "item " + std::to_string(i) + ": " + *why;
    d.apps.push_back(std::move(app));
  }
  return std::nullopt;
}

std::optional<std::string> read_app_config(Device& d, const Json& value) {
  if (!value.is_object()) return std::string("must be an object of names and values, not ") + value.type_name();
  for (auto it = value.begin(); it != value.end(); ++it) {
    const Json& v = *it;
    if (v.is_string())
      d.app_config[it.key()] = v.get<std::string>();
    else if (v.is_boolean())
      d.app_config[it.key()] = v.get<bool>() ? "true" : "false";
    else if (v.is_number())
      d.app_config[it.key()] = v.dump();
    else if (!v.is_null())
      return shown(it.key()) + " must be a string, true/false or a number, not " + v.type_name();
  }
  return std::nullopt;
}

std::optional<std::string> read_strings(std::vector<std::string>& out, const Json& value) {
  if (!value.is_array()) return std::string("must be an array of strings, not ") + value.type_name();
  for (const Json& t : value) {
    if (!t.is_string()) return std::string("must hold strings only, not ") + t.type_name();
    out.push_back(t.get<std::string>());
  }
  return std::nullopt;
}

std::optional<std::string> set_field_from_json(Device& d, const std::string& key, const Json& value) {
  if (key == "apps") return read_apps(d, value);
  if (key == "app_config") return read_app_config(d, value);
  if (key == "tags") return read_strings(d.tags, value);
  if (key == "ip_addresses") return read_strings(d.ip_addresses, value);
  if (key == "passcode_length") {
    if (value.is_number_unsigned()) {
      constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
      return set_passcode_length(d, static_cast<int64_t>(std::min(value.get<uint64_t>(), kMax)));
    }
    if (value.is_number_integer()) return set_passcode_length(d, value.get<int64_t>());
    return std::string("must be a whole number, not ") + value.type_name();
  }
  if (auto member = flag_member(key)) {
    if (!value.is_boolean()) return std::string("must be true, false or null, not ") + value.type_name();
    d.*member = value.get<bool>();
    return std::nullopt;
  }
  std::string text;
  if (auto why = read_text(value, text)) return why;
  if (text.empty()) return std::nullopt;  // as null: not reported
  return set_field_from_text(d, key, text);
}

}  // namespace

std::string_view trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string_view() : s.substr(b, e - b + 1);
}

const std::vector<std::string_view>& generic_fields() {
  static const std::vector<std::string_view> kFields = {
      "id",         "source",          "name",         "model",           "serial",
      "platform",   "os_version",      "patch_level",  "ownership",       "management",
      "user",       "encrypted",       "passcode_present", "passcode_length", "biometrics",
      "jailbroken", "unknown_sources", "cloud_backup", "apps",            "app_config",
      "last_checkin", "network_segment", "ip_addresses", "tags"};
  return kFields;
}

std::string unknown_field_hint(std::string_view name, const std::vector<std::string_view>& known) {
  std::string_view best;
  size_t best_distance = 3;            // further than two edits is not a typo
  constexpr size_t kLongestName = 40;  // nor is anything this long
  for (std::string_view k : known) {
    if (name.size() > kLongestName) break;
    size_t distance = edit_distance(ascii_lowercase(name), k);
    if (distance < best_distance) best = k, best_distance = distance;
  }
  if (!best.empty()) return " (did you mean \"" + std::string(best) + "\"?)";
  std::string all;
  for (std::string_view k : known) all += (all.empty() ? "" : ", ") + std::string(k);
  return "; the fields are " + all;
}

std::optional<bool> parse_flag(std::string_view text) {
  const std::string t = ascii_lowercase(trimmed(text));
  if (t == "true" || t == "yes" || t == "1") return true;
  if (t == "false" || t == "no" || t == "0") return false;
  return std::nullopt;
}

bool plausible_time(int64_t unix_seconds) { return unix_seconds > 0 && unix_seconds < kLatestTime; }

std::optional<int64_t> parse_checkin(std::string_view text) {
  auto t = parse_rfc3339(trimmed(text));
  if (!t || !plausible_time(*t)) return std::nullopt;
  return t;
}

std::optional<std::string> set_field_from_text(Device& d, std::string_view field, std::string_view text) {
  if (auto member = text_member(field)) {
    d.*member = std::string(text);
    return std::nullopt;
  }
  if (auto member = flag_member(field)) {
    auto v = parse_flag(text);
    if (!v) return "must be true or false (or yes/no, 1/0; empty: not reported), got " + shown(text);
    d.*member = v;
    return std::nullopt;
  }
  if (field == "platform") {
    auto p = parse_platform(text);
    if (!p) return "must be one of ios, ipados, android, windows, macos; got " + shown(text);
    d.platform = *p;
  } else if (field == "ownership") {
    auto o = parse_ownership(text);
    if (!o) return "must be corporate or byod (or company, personal); got " + shown(text);
    d.ownership = *o;
  } else if (field == "management") {
    auto m = parse_management(text);
    if (!m) return "must be mdm, mam, work_profile or unmanaged; got " + shown(text);
    d.management = *m;
  } else if (field == "passcode_length") {
    std::string_view t = trimmed(text);
    int64_t n = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty())
      return "must be a whole number of characters, got " + shown(text);
    return set_passcode_length(d, n);
  } else if (field == "last_checkin") {
    auto t = parse_checkin(text);
    if (!t) return "must be an RFC 3339 time between 1970 and 2199, such as 2024-05-01T08:30:00Z; got " + shown(text);
    d.last_checkin = *t;
  } else if (field == "tags") {
    return each_item(text, [&](std::string_view tag) {
      d.tags.emplace_back(tag);
      return std::optional<std::string>();
    });
  } else if (field == "ip_addresses") {
    return each_item(text, [&](std::string_view address) {
      d.ip_addresses.emplace_back(address);
      return std::optional<std::string>();
    });
  } else if (field == "apps") {
    return each_item(text, [&](std::string_view item) { return add_app_from_text(d, item); });
  } else if (field == "app_config") {
    return each_item(text, [&](std::string_view item) -> std::optional<std::string> {
      size_t eq = item.find('=');
      std::string_view key = trimmed(item.substr(0, eq));
      if (eq == std::string_view::npos || key.empty())
        return "item " + shown(item) + " is not name=value (items are separated by ';')";
      d.app_config[std::string(key)] = std::string(trimmed(item.substr(eq + 1)));
      return std::nullopt;
    });
  } else {
    return "is not a field of the device format" + unknown_field_hint(field, generic_fields());
  }
  return std::nullopt;
}

Result<Device> device_from_value(const Json& value) {
  if (!value.is_object())
    return make_error("invalid_device",
                      std::string("must be a JSON object with the device's fields (docs/devices.md), not ") +
                          value.type_name());
  Device d;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string& key = it.key();
    const auto& fields = generic_fields();
    if (std::find(fields.begin(), fields.end(), key) == fields.end())
      return make_error("invalid_device", "unknown field " + shown(key) + unknown_field_hint(key, fields), key);
    if (it->is_null()) continue;  // not reported
    if (auto why = set_field_from_json(d, key, *it))
      return make_error("invalid_device", "field \"" + key + "\" " + *why, key);
  }
  if (d.id.empty())
    return make_error("invalid_device", "field \"id\" is required: the device's id in its MDM, or another stable name",
                      "id");
  return d;
}

}  // namespace detail

Result<Device> device_from_json(std::string_view json, const std::string& where) {
  auto value = detail::parse_json_file(json, where, "one object with the device's fields (docs/devices.md)");
  if (!value) return value.error();
  auto device = detail::device_from_value(*value);
  if (!device) {
    Error e = device.error();
    e.message = where + ": " + e.message;
    return e;
  }
  return device;
}

std::string device_to_json(const Device& d) {
  using Ordered = nlohmann::ordered_json;
  Ordered j = Ordered::object();
  for (std::string_view name : detail::generic_fields()) {
    const std::string key(name);
    if (auto member = detail::text_member(name)) {
      if (name == "id" || !(d.*member).empty()) j[key] = d.*member;
    } else if (auto flag = detail::flag_member(name)) {
      if (d.*flag) j[key] = *(d.*flag);
    } else if (name == "platform") {
      j[key] = name_of(d.platform);
    } else if (name == "ownership") {
      j[key] = name_of(d.ownership);
    } else if (name == "management") {
      j[key] = name_of(d.management);
    } else if (name == "passcode_length") {
      if (d.passcode_length) j[key] = *d.passcode_length;
    } else if (name == "last_checkin") {
      if (detail::plausible_time(d.last_checkin)) j[key] = to_rfc3339(d.last_checkin);
    } else if (name == "tags") {
      if (!d.tags.empty()) j[key] = d.tags;
    } else if (name == "ip_addresses") {
      if (!d.ip_addresses.empty()) j[key] = d.ip_addresses;
    } else if (name == "app_config") {
      if (!d.app_config.empty()) j[key] = d.app_config;
    } else if (name == "apps") {
      if (d.apps.empty()) continue;
      Ordered apps = Ordered::array();
      for (const App& a : d.apps) {
        Ordered app = {{"id", a.id}};
        if (!a.name.empty()) app["name"] = a.name;
        if (!a.version.empty()) app["version"] = a.version;
        if (a.source != AppSource::unknown) app["source"] = name_of(a.source);
        if (!a.permissions.empty()) app["permissions"] = a.permissions;
        apps.push_back(std::move(app));
      }
      j[key] = std::move(apps);
    }
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace wardline::posture
