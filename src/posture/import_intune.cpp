// Microsoft Intune as Microsoft Graph v1.0 returns it: pages of managedDevice
// objects (optionally $expand=detectedApps), pages of detectedApp objects
// expanded with managedDevices, or one managedDevice. Field mapping:
// docs/devices.md.
#include "posture/import_parsers.h"

namespace wardline::posture::detail {

namespace {

const char* const kExpected =
    "a Microsoft Graph page {\"value\": [...]} of managedDevice or detectedApp objects, or one managedDevice "
    "object (GET /deviceManagement/managedDevices)";

// managementAgent values of an Intune (or co-managed) enrolment.
bool mdm_agent(std::string_view agent) {
  static const std::string_view kMdm[] = {"mdm",
                                          "easmdm",
                                          "intuneclient",
                                          "easintuneclient",
                                          "configurationmanagerclient",
                                          "configurationmanagerclientmdm",
                                          "configurationmanagerclientmdmeas",
                                          "jamf",
                                          "googleclouddevicepolicycontroller"};
  for (std::string_view m : kMdm)
    if (m == agent) return true;
  return false;
}

// Graph has no "work profile" flag: Apple User Enrollment manages only a
// separate volume (MAM); Android corporate work profiles say so in the
// enrolment type, and Intune enrols a personal Android device as a work
// profile. "eas" (Exchange only) and "unknown" are not managed.
Management intune_management(const Json& md, Platform platform, Ownership ownership) {
  const std::string enrollment = squashed(text_at(md, "deviceEnrollmentType"));
  const std::string agent = squashed(text_at(md, "managementAgent"));
  if (enrollment == "appleuserenrollment" || enrollment == "appleuserenrollmentwithserviceaccount")
    return Management::mam;
  if (enrollment == "androidenterprisecorporateworkprofile") return Management::work_profile;
  if (!mdm_agent(agent)) return Management::unmanaged;
  if (platform == Platform::android && ownership == Ownership::byod) return Management::work_profile;
  return Management::mdm;
}

App detected_app(const Json& app) {
  App a;
  // Graph names detected apps but gives no bundle id or package name.
  a.id = text_at(app, "displayName");
  a.name = a.id;
  a.version = text_at(app, "version");
  return a;
}

Result<Device> managed_device(const Json& md, const std::string& where, std::vector<ImportProblem>& problems) {
  if (!md.is_object()) return make_error("invalid_device", std::string("not an object but ") + md.type_name());
  Device d;
  d.id = text_at(md, "id");
  if (d.id.empty()) return make_error("invalid_device", "no \"id\"; export the managedDevice with its id");
  d.source = "intune";
  d.name = text_at(md, "deviceName");
  d.user = first_text(md, {"userPrincipalName", "emailAddress"});
  d.platform = parse_platform(text_at(md, "operatingSystem")).value_or(Platform::unknown);
  d.os_version = text_at(md, "osVersion");
  d.patch_level = text_at(md, "androidSecurityPatchLevel");
  d.model = text_at(md, "model");
  d.serial = text_at(md, "serialNumber");
  d.ownership = parse_ownership(text_at(md, "managedDeviceOwnerType")).value_or(Ownership::unknown);
  d.management = intune_management(md, d.platform, d.ownership);
  d.encrypted = flag_at(md, "isEncrypted");
  // "True", "False" or "Unknown".
  d.jailbroken = flag_at(md, "jailBroken");
  if (!d.jailbroken) d.jailbroken = parse_flag(text_at(md, "jailBroken"));
  // Graph writes 0001-01-01T00:00:00Z for "never".
  d.last_checkin = parse_checkin(text_at(md, "lastSyncDateTime")).value_or(0);
  std::string category = text_at(md, "deviceCategoryDisplayName");
  if (!category.empty() && squashed(category) != "unknown") d.tags.push_back(category);
  if (const Json* apps = array_at(md, "detectedApps")) {
    for (size_t i = 0; i < apps->size(); ++i) {
      App a = detected_app((*apps)[i]);
      if (a.id.empty())
        problems.push_back({where + ".detectedApps[" + std::to_string(i) + "]", "detected app without displayName"});
      else
        d.apps.push_back(std::move(a));
    }
  }
  return d;
}

bool is_detected_app(const Json& item) {
  std::string type = text_at(item, "@odata.type");
  if (!type.empty()) return type.size() >= 11 && type.compare(type.size() - 11, 11, "detectedApp") == 0;
  return item.is_object() &&
         (item.contains("managedDevices") || (item.contains("displayName") && !item.contains("deviceName")));
}

// A detectedApp expanded with managedDevices: one link per device.
void read_detected_app(const Json& item, const std::string& where, ImportBatch& batch, size_t& unlinked) {
  App app = detected_app(item);
  if (app.id.empty()) {
    batch.problems.push_back({where, "detectedApp without displayName"});
    return;
  }
  const Json* devices = array_at(item, "managedDevices");
  if (!devices) {
    ++unlinked;
    return;
  }
  for (size_t i = 0; i < devices->size(); ++i) {
    std::string device_id = text_at((*devices)[i], "id");
    if (device_id.empty())
      batch.problems.push_back(
          {where + ".managedDevices[" + std::to_string(i) + "]", "linked managedDevice without \"id\""});
    else
      batch.device_apps.emplace_back(std::move(device_id), app);
  }
}

// One page: managedDevices, detectedApps, or both.
void read_page(const Json& items, const std::string& file, ImportBatch& batch, size_t& unlinked) {
  for (size_t i = 0; i < items.size(); ++i) {
    const Json& item = items[i];
    const std::string where = file + ": value[" + std::to_string(i) + "]";
    if (is_detected_app(item)) {
      read_detected_app(item, where, batch, unlinked);
      continue;
    }
    auto d = managed_device(item, where, batch.problems);
    if (d)
      batch.devices.push_back(std::move(*d));
    else
      batch.problems.push_back({where, d.error().message});
  }
}

}  // namespace

Result<ImportBatch> parse_intune(std::string_view text, const std::string& file) {
  auto doc = parse_json_file(text, file, kExpected);
  if (!doc) return doc.error();
  if (!doc->is_object())
    return make_error("invalid_inventory", file + ": the top level is " + doc->type_name() + "; expected " + kExpected);
  if (const Json* error = object_at(*doc, "error"))
    return make_error("invalid_inventory", file + ": this is a Graph error response (" + text_at(*error, "code") +
                                               ": " + text_at(*error, "message") + "), not devices; request again");
  ImportBatch batch;
  size_t unlinked = 0;  // detectedApps fetched without $expand=managedDevices
  if (doc->contains("value")) {
    const Json* items = array_at(*doc, "value");
    if (!items) return make_error("invalid_inventory", file + ": \"value\" is not an array; expected " + kExpected);
    batch.pages = 1;
    batch.pages_with_next = text_at(*doc, "@odata.nextLink").empty() ? 0 : 1;
    read_page(*items, file, batch, unlinked);
  } else if (is_detected_app(*doc)) {
    read_detected_app(*doc, file, batch, unlinked);
  } else {
    auto d = managed_device(*doc, file, batch.problems);
    if (!d) return make_error("invalid_inventory", file + ": " + d.error().message + "; expected " + kExpected);
    batch.devices.push_back(std::move(*d));
  }
  if (unlinked > 0)
    batch.problems.push_back({file, std::to_string(unlinked) +
                                        " detectedApp records have no managedDevices, so they join no device; "
                                        "fetch /deviceManagement/detectedApps?$expand=managedDevices"});
  return batch;
}

}  // namespace wardline::posture::detail
