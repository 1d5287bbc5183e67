// Jamf Pro mobile devices as its two APIs return them: the Classic API
// (/JSSResource/mobiledevices: {"mobile_device": {...}} or the list
// {"mobile_devices": [...]}) and the Jamf Pro API (/api/v2/mobile-devices/{id}/detail
// objects, and pages {"totalCount": N, "results": [...]}). Field mapping:
// docs/devices.md.
#include "posture/import_parsers.h"

namespace wardline::posture::detail {

namespace {

const char* const kExpected =
    "a Jamf Pro mobile-device export: {\"mobile_device\": {...}} or {\"mobile_devices\": [...]} (Classic API), "
    "or a /api/v2/mobile-devices/{id}/detail object or {\"totalCount\": N, \"results\": [...]} (Jamf Pro API)";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The model identifier ("iPad13,1") tells iPads from iPhones; Jamf's OS type
// says "iOS" for both.
Platform jamf_platform(std::string_view model_identifier, std::string_view model, std::string_view os_type) {
  if (starts_with(model_identifier, "iPad") || starts_with(model, "iPad")) return Platform::ipados;
  if (starts_with(model_identifier, "iPhone") || starts_with(model_identifier, "iPod")) return Platform::ios;
  return parse_platform(os_type).value_or(Platform::unknown);
}

// deviceOwnershipLevel: Institutional devices are fully enrolled; personal
// devices (Personal Device Profiles, User Enrollment, Account-Driven User
// Enrollment) are managed only in their managed apps and accounts.
void apply_enrollment(Device& d, std::string_view level, std::optional<bool> managed) {
  const std::string l = squashed(level);
  if (l == "institutional") {
    d.ownership = Ownership::corporate;
    d.management = Management::mdm;
  } else if (l == "personal" || l == "personaldeviceprofile" || l == "userenrollment" ||
             l == "accountdrivenuserenrollment") {
    d.ownership = Ownership::byod;
    d.management = Management::mam;
  } else if (managed == true) {
    d.management = Management::mdm;
  }
  if (managed == false) d.management = Management::unmanaged;
}

// The Classic API's jailbreak_detected: "Normal", "Jailbroken" or "Unknown".
std::optional<bool> jailbreak_at(const Json& security, const char* key) {
  if (auto flag = flag_at(security, key)) return flag;
  const std::string text = squashed(text_at(security, key));
  if (text == "normal" || text == "notjailbroken") return false;
  if (text == "jailbroken" || text == "detected") return true;
  return parse_flag(text);
}

// Classic *_epoch values are milliseconds.
int64_t epoch_ms_at(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return 0;
  int64_t seconds =
      it->is_number_unsigned() ? static_cast<int64_t>(it->get<uint64_t>() / 1000) : it->get<int64_t>() / 1000;
  return plausible_time(seconds) ? seconds : 0;
}

// Applications: identifier, name, version (the build) and the short version
// people see ("10.2"), which is the one policies name.
void read_apps(const Json* apps, const char* name_key, const char* short_key, const char* version_key, Device& d) {
  if (!apps) return;
  for (const Json& a : *apps) {
    App app;
    app.id = text_at(a, "identifier");
    if (app.id.empty()) continue;  // a web clip or an app still installing
    app.name = text_at(a, name_key);
    app.version = first_text(a, {short_key, version_key});
    d.apps.push_back(std::move(app));
  }
}

// A member object, or an empty one: a missing section reports nothing.
const Json& section(const Json& obj, const char* key) {
  static const Json kNone = Json::object();
  const Json* s = object_at(obj, key);
  return s ? *s : kNone;
}

Device classic_record(const Json& md) {
  const Json& g = section(md, "general");
  const Json& location = section(md, "location");
  const Json& security = section(md, "security");
  Device d;
  d.source = "jamf";
  d.id = text_at(g, "id");
  d.name = first_text(g, {"display_name", "device_name", "name"});
  d.os_version = text_at(g, "os_version");
  d.serial = text_at(g, "serial_number");
  d.model = first_text(g, {"model", "model_display"});
  d.platform = jamf_platform(text_at(g, "model_identifier"), d.model, text_at(g, "os_type"));
  apply_enrollment(d, text_at(g, "device_ownership_level"), flag_at(g, "managed"));
  d.cloud_backup = flag_at(g, "cloud_backup_enabled");
  if (std::string ip = text_at(g, "ip_address"); !ip.empty()) d.ip_addresses.push_back(ip);
  d.last_checkin = epoch_ms_at(g, "last_inventory_update_epoch");
  d.user = first_text(location, {"email_address", "username"});
  d.encrypted = flag_at(security, "data_protection");
  d.passcode_present = flag_at(security, "passcode_present");
  d.jailbroken = jailbreak_at(security, "jailbreak_detected");
  read_apps(array_at(md, "applications"), "application_name", "application_short_version", "application_version", d);
  return d;
}

// An item of the Classic list GET /JSSResource/mobiledevices: a summary.
Device classic_summary(const Json& item) {
  Device d;
  d.source = "jamf";
  d.id = text_at(item, "id");
  d.name = first_text(item, {"device_name", "name"});
  d.serial = text_at(item, "serial_number");
  d.model = first_text(item, {"model_display", "model"});
  d.platform = jamf_platform(text_at(item, "model_identifier"), d.model, "");
  apply_enrollment(d, "", flag_at(item, "managed"));
  d.user = text_at(item, "username");
  return d;
}

// A Jamf Pro API detail object, or an item of its paged list.
Device pro_record(const Json& md) {
  const Json* ios = object_at(md, "ios");
  const Json& hardware = ios ? *ios : md;  // the paged list has model fields on top
  const Json& security = section(hardware, "security");
  const Json& location = section(md, "location");
  Device d;
  d.source = "jamf";
  d.id = text_at(md, "id");
  d.name = text_at(md, "name");
  d.serial = text_at(md, "serialNumber");
  d.os_version = text_at(md, "osVersion");
  d.model = text_at(hardware, "model");
  d.platform = jamf_platform(text_at(hardware, "modelIdentifier"), d.model, text_at(md, "type"));
  apply_enrollment(d, text_at(md, "deviceOwnershipLevel"), flag_at(md, "managed"));
  d.last_checkin = parse_checkin(text_at(md, "lastInventoryUpdateTimestamp")).value_or(0);
  d.user = first_text(location, {"emailAddress", "username"});
  if (d.user.empty()) d.user = text_at(md, "username");
  d.cloud_backup = flag_at(hardware, "cloudBackupEnabled");
  if (std::string ip = text_at(md, "ipAddress"); !ip.empty()) d.ip_addresses.push_back(ip);
  d.encrypted = flag_at(security, "dataProtected");
  d.passcode_present = flag_at(security, "passcodePresent");
  d.jailbroken = jailbreak_at(security, "jailBreakDetected");
  if (ios) read_apps(array_at(*ios, "applications"), "name", "shortVersion", "version", d);
  return d;
}

enum class Shape { classic, classic_list, pro };

// One record; a record without an id is refused.
Result<Device> record(const Json& item, Shape shape) {
  if (!item.is_object()) return make_error("invalid_device", std::string("not an object but ") + item.type_name());
  Device d;
  if (shape == Shape::pro)
    d = pro_record(item);
  else if (const Json* wrapped = object_at(item, "mobile_device"))
    d = classic_record(*wrapped);
  else if (shape == Shape::classic || object_at(item, "general"))
    d = classic_record(item);
  else
    d = classic_summary(item);
  if (d.id.empty())
    return make_error("invalid_device", "no device id (general.id or id); export the device with its id");
  return d;
}

void read_list(const Json& items, Shape shape, const std::string& where, ImportBatch& batch) {
  for (size_t i = 0; i < items.size(); ++i) {
    auto d = record(items[i], shape);
    if (d)
      batch.devices.push_back(std::move(*d));
    else
      batch.problems.push_back({where + "[" + std::to_string(i) + "]", d.error().message});
  }
}

}  // namespace

Result<ImportBatch> parse_jamf(std::string_view text, const std::string& file) {
  auto doc = parse_json_file(text, file, kExpected);
  if (!doc) return doc.error();
  if (!doc->is_object())
    return make_error("invalid_inventory", file + ": the top level is " + doc->type_name() + "; expected " + kExpected);
  ImportBatch batch;
  if (const Json* list = array_at(*doc, "mobile_devices")) {
    read_list(*list, Shape::classic_list, file + ": mobile_devices", batch);
  } else if (const Json* results = array_at(*doc, "results")) {
    read_list(*results, Shape::pro, file + ": results", batch);
  } else if (doc->contains("mobile_device") || doc->contains("id")) {
    auto d = record(*doc, doc->contains("id") ? Shape::pro : Shape::classic);
    if (!d) return make_error("invalid_inventory", file + ": " + d.error().message);
    batch.devices.push_back(std::move(*d));
  } else {
    return make_error("invalid_inventory", file + ": no mobile device found; expected " + kExpected);
  }
  return batch;
}

}  // namespace wardline::posture::detail
