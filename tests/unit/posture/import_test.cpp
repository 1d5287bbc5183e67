// The device model's names, the generic device format, and the importers on
// vendor-shaped fixtures (tests/data/posture).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "core/time.h"
#include "posture/posture.h"
#include "support/test_support.h"

namespace wardline::posture {
namespace {

std::string fixture(const std::string& relative) {
  const char* dir = std::getenv("WARDLINE_SOURCE_DIR");
  return wardline::testing::read_file(std::string(dir ? dir : ".") + "/tests/data/posture/" + relative);
}

ImportBatch import_file(ImportSource source, const std::string& relative) {
  std::string text = fixture(relative);
  EXPECT_FALSE(text.empty()) << "missing fixture " << relative << " (set WARDLINE_SOURCE_DIR)";
  auto batch = parse_inventory(source, text, relative);
  EXPECT_TRUE(batch.ok()) << (batch.ok() ? "" : batch.error().message);
  return batch.ok() ? std::move(*batch) : ImportBatch{};
}

const Device* find(const ImportBatch& batch, const std::string& id) {
  for (const Device& d : batch.devices)
    if (d.id == id) return &d;
  return nullptr;
}

const App* app(const Device& d, const std::string& id) {
  for (const App& a : d.apps)
    if (a.id == id) return &a;
  return nullptr;
}

int64_t at(const char* rfc3339) { return parse_rfc3339(rfc3339).value(); }

std::vector<std::string> wheres(const ImportBatch& batch) {
  std::vector<std::string> out;
  for (const auto& p : batch.problems) out.push_back(p.where);
  return out;
}

// ------------------------------------------------------------------ model

TEST(ModelNames, EveryNameParsesBack) {
  for (Platform p :
       {Platform::unknown, Platform::ios, Platform::ipados, Platform::android, Platform::windows, Platform::macos})
    EXPECT_EQ(parse_platform(name_of(p)), p);
  for (Ownership o : {Ownership::unknown, Ownership::corporate, Ownership::byod})
    EXPECT_EQ(parse_ownership(name_of(o)), o);
  for (Management m : {Management::unmanaged, Management::mdm, Management::mam, Management::work_profile})
    EXPECT_EQ(parse_management(name_of(m)), m);
  for (AppSource s : {AppSource::unknown, AppSource::store, AppSource::enterprise, AppSource::sideloaded})
    EXPECT_EQ(parse_app_source(name_of(s)), s);
  EXPECT_EQ(name_of(Management::work_profile), "work_profile");
}

TEST(ModelNames, VendorSpellingsAnyCase) {
  EXPECT_EQ(parse_platform("iOS"), Platform::ios);
  EXPECT_EQ(parse_platform("iPadOS"), Platform::ipados);
  EXPECT_EQ(parse_platform("Android"), Platform::android);
  EXPECT_EQ(parse_platform("AndroidForWork"), Platform::android);
  EXPECT_EQ(parse_platform("Windows"), Platform::windows);
  EXPECT_EQ(parse_platform("macOS"), Platform::macos);
  EXPECT_EQ(parse_platform("Mac OS X"), Platform::macos);
  EXPECT_EQ(parse_platform("BlackBerry"), std::nullopt);
  EXPECT_EQ(parse_platform(""), std::nullopt);
  EXPECT_EQ(parse_ownership("Company"), Ownership::corporate);
  EXPECT_EQ(parse_ownership("Institutional"), Ownership::corporate);
  EXPECT_EQ(parse_ownership("BYOD"), Ownership::byod);
  EXPECT_EQ(parse_ownership("personal"), Ownership::byod);
  EXPECT_EQ(parse_ownership("shared"), std::nullopt);
  EXPECT_EQ(parse_management("work-profile"), Management::work_profile);
  EXPECT_EQ(parse_management("Work Profile"), Management::work_profile);
  EXPECT_EQ(parse_management("MDM"), Management::mdm);
  EXPECT_EQ(parse_management("managed"), std::nullopt);
  EXPECT_EQ(parse_app_source("App Store"), AppSource::store);
  EXPECT_EQ(parse_import_source("Intune"), ImportSource::intune);
  EXPECT_EQ(parse_import_source("JSON"), ImportSource::json);
  EXPECT_EQ(parse_import_source("xml"), std::nullopt);
}

// ------------------------------------------------------------------ generic device format

Device full_device() {
  Device d;
  d.id = "TELE-IPAD-0007";
  d.source = "json";
  d.name = "Telehealth cart iPad";
  d.model = "iPad Air";
  d.serial = "DMQH7LK2Q16M";
  d.platform = Platform::ipados;
  d.os_version = "17.4";
  d.patch_level = "2024-04-05";
  d.ownership = Ownership::corporate;
  d.management = Management::mdm;
  d.user = "pool@northvale-health.org";
  d.encrypted = true;
  d.passcode_present = true;
  d.passcode_length = 6;
  d.biometrics = false;
  d.jailbroken = false;
  d.cloud_backup = false;
  d.apps = {{"com.epic.haiku", "Haiku", "10.3", AppSource::store, {"camera", "microphone"}},
            {"com.zoom.videomeetings", "", "6.0.2", AppSource::unknown, {}}};
  d.app_config = {{"offline_ephi_cache", "false"}};
  d.last_checkin = at("2024-05-02T07:15:00Z");
  d.network_segment = "TELEHEALTH-SSID";
  d.tags = {"telehealth", "hospital-at-home"};
  return d;
}

TEST(DeviceJson, RoundTripKeepsEveryField) {
  const Device d = full_device();
  const std::string json = device_to_json(d);
  auto back = device_from_json(json, "t");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, d.id);
  EXPECT_EQ(back->platform, Platform::ipados);
  EXPECT_EQ(back->passcode_length, 6);
  EXPECT_EQ(back->biometrics, false);
  EXPECT_EQ(back->unknown_sources, std::nullopt);
  EXPECT_EQ(back->last_checkin, d.last_checkin);
  ASSERT_EQ(back->apps.size(), 2u);
  EXPECT_EQ(back->apps[0].permissions, (std::vector<std::string>{"camera", "microphone"}));
  EXPECT_EQ(back->apps[0].source, AppSource::store);
  EXPECT_EQ(back->tags, d.tags);
  EXPECT_EQ(back->app_config, d.app_config);
  EXPECT_EQ(device_to_json(*back), json);
}

TEST(DeviceJson, UsesFieldNamesAndLeavesOutWhatIsNotReported) {
  Device d;
  d.id = "A1";
  d.last_checkin = at("2024-05-02T07:15:00Z");
  EXPECT_EQ(device_to_json(d), R"({"id":"A1","platform":"unknown","ownership":"unknown","management":"unmanaged",)"
                               R"("last_checkin":"2024-05-02T07:15:00.000Z"})");
  const std::string full = device_to_json(full_device());
  for (const char* field :
       {"\"os_version\":\"17.4\"", "\"passcode_present\":true", "\"biometrics\":false",
        "\"app_config\":{\"offline_ephi_cache\":\"false\"}", "\"network_segment\":\"TELEHEALTH-SSID\""})
    EXPECT_NE(full.find(field), std::string::npos) << field;
}

TEST(DeviceJson, AcceptsVendorSpellingsNullsAndScalarConfig) {
  auto d = device_from_json(R"({"id": "X", "platform": "iPadOS", "ownership": "Company", "management": "work-profile",
      "encrypted": null, "user": "", "app_config": {"offline_ephi_cache": true, "max_hours": 12, "mode": "strict"}})",
                            "t");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->platform, Platform::ipados);
  EXPECT_EQ(d->ownership, Ownership::corporate);
  EXPECT_EQ(d->management, Management::work_profile);
  EXPECT_EQ(d->encrypted, std::nullopt);
  EXPECT_EQ(d->app_config.at("offline_ephi_cache"), "true");
  EXPECT_EQ(d->app_config.at("max_hours"), "12");
  EXPECT_EQ(d->app_config.at("mode"), "strict");
}

TEST(DeviceJson, ErrorsSayWhereWhichFieldAndWhatIsExpected) {
  auto e = device_from_json(R"({"id": "X", "encrypted": "yes"})", "checkin body");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "checkin body: field \"encrypted\" must be true, false or null, not string");
  EXPECT_EQ(e.error().field, "encrypted");

  EXPECT_EQ(device_from_json(R"({"name": "no id"})", "b").error().message.rfind("b: field \"id\" is required", 0), 0u);
  EXPECT_NE(
      device_from_json(R"({"id": "X", "encryted": true})", "b").error().message.find("did you mean \"encrypted\"?"),
      std::string::npos);
  EXPECT_NE(
      device_from_json(R"({"id": "X", "platform": "blackberry"})", "b")
          .error()
          .message.find("field \"platform\" must be one of ios, ipados, android, windows, macos; got \"blackberry\""),
      std::string::npos);
  EXPECT_NE(device_from_json(R"({"id": "X", "passcode_length": 4000})", "b").error().message.find("from 0 to 128"),
            std::string::npos);
  EXPECT_NE(device_from_json(R"({"id": "X", "passcode_length": 6.5})", "b").error().message.find("whole number"),
            std::string::npos);
  EXPECT_NE(device_from_json(R"({"id": "X", "last_checkin": "yesterday"})", "b").error().message.find("RFC 3339"),
            std::string::npos);
  EXPECT_NE(device_from_json(R"({"id": "X", "apps": [{"id": "a", "version": 10.2}]})", "b")
                .error()
                .message.find("field \"apps\" item 0: \"version\" must be a string, not number"),
            std::string::npos);
  EXPECT_NE(
      device_from_json(R"({"id": "X", "apps": [{"version": "1"}]})", "b").error().message.find("\"id\" is required"),
      std::string::npos);
  EXPECT_NE(device_from_json("[1, 2]", "b").error().message.find("b: must be a JSON object"), std::string::npos);
  EXPECT_NE(device_from_json("{\"id\": ", "b").error().message.find("b: not valid JSON"), std::string::npos);
}

// ------------------------------------------------------------------ Intune

TEST(ImportIntune, ReadsGraphManagedDevicePages) {
  ImportBatch page1 = import_file(ImportSource::intune, "intune/managed_devices_page1.json");
  ImportBatch page2 = import_file(ImportSource::intune, "intune/managed_devices_page2.json");
  EXPECT_EQ(page1.pages, 1);
  EXPECT_EQ(page1.pages_with_next, 1);
  EXPECT_EQ(page2.pages_with_next, 0);
  EXPECT_EQ(wheres(page1), (std::vector<std::string>{"intune/managed_devices_page1.json: value[2]"}));
  EXPECT_NE(page1.problems[0].reason.find("no \"id\""), std::string::npos);

  const Device* iphone = find(page1, "8f1c2b7e-4a1d-4c55-9a0e-2b6f3d9e7a10");
  ASSERT_NE(iphone, nullptr);
  EXPECT_EQ(iphone->source, "intune");
  EXPECT_EQ(iphone->name, "ICU-RN-IPHONE-014");
  EXPECT_EQ(iphone->user, "amara.okafor@northvale-health.org");
  EXPECT_EQ(iphone->platform, Platform::ios);
  EXPECT_EQ(iphone->os_version, "17.4.1");
  EXPECT_EQ(iphone->model, "iPhone 14");
  EXPECT_EQ(iphone->serial, "F2LZK0QJN72J");
  EXPECT_EQ(iphone->ownership, Ownership::corporate);
  EXPECT_EQ(iphone->management, Management::mdm);
  EXPECT_EQ(iphone->encrypted, true);
  EXPECT_EQ(iphone->jailbroken, false);
  EXPECT_EQ(iphone->passcode_present, std::nullopt);  // Graph v1.0 does not report it
  EXPECT_EQ(iphone->last_checkin, at("2024-05-02T07:41:12Z"));
  EXPECT_TRUE(iphone->tags.empty());  // category "Unknown"

  const Device* pixel = find(page1, "3b9e0d4a-71c2-4f0e-8d3b-5e2a9c1f6b44");
  ASSERT_NE(pixel, nullptr);
  EXPECT_EQ(pixel->platform, Platform::android);
  EXPECT_EQ(pixel->patch_level, "2024-03-01");
  EXPECT_EQ(pixel->ownership, Ownership::byod);
  EXPECT_EQ(pixel->management, Management::work_profile);
  EXPECT_EQ(pixel->last_checkin, at("2024-05-01T22:03:55Z"));

  const Device* ipad = find(page2, "c71d4e2f-98ab-4d3c-b0e1-7f2a6c9d5e38");
  ASSERT_NE(ipad, nullptr);
  EXPECT_EQ(ipad->platform, Platform::ipados);
  EXPECT_EQ(ipad->tags, (std::vector<std::string>{"hospital-at-home"}));
  EXPECT_EQ(ipad->user, "");

  const Device* user_enrolled = find(page2, "f0a2b4c6-d8e0-4f1a-a3b5-c7d9e1f3a5b7");
  ASSERT_NE(user_enrolled, nullptr);
  EXPECT_EQ(user_enrolled->management, Management::mam);
  EXPECT_EQ(user_enrolled->jailbroken, std::nullopt);  // "Unknown"

  const Device* workstation = find(page2, "1e3c5a7b-9d2f-4b6e-8a1c-3e5f7b9d1a2c");
  ASSERT_NE(workstation, nullptr);
  EXPECT_EQ(workstation->platform, Platform::windows);
  EXPECT_EQ(workstation->management, Management::mdm);  // co-managed
  EXPECT_EQ(workstation->encrypted, false);
  EXPECT_EQ(workstation->last_checkin, 0);  // 0001-01-01: never
}

TEST(ImportIntune, DetectedAppsJoinTheirDevices) {
  std::vector<ImportBatch> batches;
  batches.push_back(import_file(ImportSource::intune, "intune/detected_apps_page.json"));  // before its devices
  batches.push_back(import_file(ImportSource::intune, "intune/managed_devices_page1.json"));
  batches.push_back(import_file(ImportSource::intune, "intune/managed_devices_page2.json"));
  EXPECT_EQ(batches[0].device_apps.size(), 4u);
  ImportBatch merged = merge_import(std::move(batches));
  EXPECT_TRUE(merged.device_apps.empty());
  EXPECT_EQ(merged.devices.size(), 5u);
  EXPECT_EQ(merged.pages, 3);
  EXPECT_EQ(merged.pages_with_next, 1);

  const Device* iphone = find(merged, "8f1c2b7e-4a1d-4c55-9a0e-2b6f3d9e7a10");
  ASSERT_NE(iphone, nullptr);
  ASSERT_EQ(iphone->apps.size(), 2u);
  ASSERT_NE(app(*iphone, "Microsoft Teams"), nullptr);
  EXPECT_EQ(app(*iphone, "Microsoft Teams")->version, "6.5.1");
  EXPECT_EQ(app(*iphone, "Haiku")->version, "10.2.1");

  std::vector<std::string> reasons;
  for (const auto& p : merged.problems) reasons.push_back(p.where + ": " + p.reason);
  auto has = [&](const std::string& text) {
    return std::any_of(reasons.begin(), reasons.end(),
                       [&](const std::string& r) { return r.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("intune/detected_apps_page.json: value[2]: detectedApp without displayName"));
  EXPECT_TRUE(
      has("app \"Microsoft Teams\" links to device 99999999-aaaa-4bbb-8ccc-dddddddddddd which is in none of "
          "the files given"));
  EXPECT_FALSE(has("export is incomplete"));
}

TEST(ImportIntune, AnExportWithoutItsLastPageIsIncomplete) {
  std::vector<ImportBatch> batches;
  batches.push_back(import_file(ImportSource::intune, "intune/managed_devices_page1.json"));
  ImportBatch merged = merge_import(std::move(batches));
  EXPECT_EQ(merged.devices.size(), 2u);
  ASSERT_FALSE(merged.problems.empty());
  EXPECT_EQ(merged.problems.back().reason.rfind("export is incomplete: every page has @odata.nextLink; the last page "
                                                "(without one) is missing",
                                                0),
            0u);
}

TEST(ImportIntune, OneManagedDeviceExpandedWithDetectedApps) {
  ImportBatch b = import_file(ImportSource::intune, "intune/managed_device_expanded.json");
  EXPECT_EQ(b.pages, 0);
  ASSERT_EQ(b.devices.size(), 1u);
  const Device& d = b.devices[0];
  EXPECT_EQ(d.patch_level, "2024-04-05");
  ASSERT_EQ(d.apps.size(), 2u);
  EXPECT_EQ(d.apps[0].id, "Epic Rover");
  EXPECT_EQ(d.apps[0].version, "10.3");
  EXPECT_EQ(wheres(b), (std::vector<std::string>{"intune/managed_device_expanded.json.detectedApps[2]"}));
}

TEST(ImportIntune, ManagementFollowsAgentAndEnrollment) {
  auto management = [](const std::string& fields) {
    auto b = parse_inventory(ImportSource::intune, R"({"value": [{"id": "d1", )" + fields + "}]}", "t.json");
    EXPECT_TRUE(b.ok() && b->devices.size() == 1) << fields;
    return b.ok() && !b->devices.empty() ? b->devices[0].management : Management::unmanaged;
  };
  EXPECT_EQ(management(R"("managementAgent": "eas")"), Management::unmanaged);
  EXPECT_EQ(management(R"("managementAgent": "unknown")"), Management::unmanaged);
  EXPECT_EQ(management(R"("managementAgent": "easMdm", "operatingSystem": "iOS")"), Management::mdm);
  EXPECT_EQ(management(R"("managementAgent": "googleCloudDevicePolicyController", "operatingSystem": "Android",
                          "managedDeviceOwnerType": "company")"),
            Management::mdm);
  EXPECT_EQ(management(R"("managementAgent": "mdm", "deviceEnrollmentType": "androidEnterpriseCorporateWorkProfile")"),
            Management::work_profile);
  EXPECT_EQ(management(R"("managementAgent": "mdm", "deviceEnrollmentType": "appleUserEnrollmentWithServiceAccount")"),
            Management::mam);
}

TEST(ImportIntune, MalformedFilesAreErrorsNamingTheFile) {
  auto error = [](const std::string& text) {
    auto b = parse_inventory(ImportSource::intune, text, "graph.json");
    return b.ok() ? std::string("(no error)") : b.error().message;
  };
  EXPECT_EQ(error("id,deviceName\n1,x\n").rfind("graph.json: not valid JSON (", 0), 0u);
  EXPECT_NE(error("[{\"id\": \"1\"}]").find("graph.json: the top level is array; expected a Microsoft Graph page"),
            std::string::npos);
  EXPECT_NE(error(R"({"value": {"id": "1"}})").find("\"value\" is not an array"), std::string::npos);
  EXPECT_NE(error(R"({"error": {"code": "Unauthorized", "message": "Access token has expired."}})")
                .find("Graph error response (Unauthorized: Access token has expired.)"),
            std::string::npos);
  EXPECT_NE(error("  \n").find("graph.json: the file is empty"), std::string::npos);
}

// ------------------------------------------------------------------ Jamf

TEST(ImportJamf, ClassicApiMobileDevice) {
  ImportBatch b = import_file(ImportSource::jamf, "jamf/classic_mobile_device.json");
  EXPECT_TRUE(b.problems.empty());
  ASSERT_EQ(b.devices.size(), 1u);
  const Device& d = b.devices[0];
  EXPECT_EQ(d.id, "118");
  EXPECT_EQ(d.source, "jamf");
  EXPECT_EQ(d.name, "ED-CHARGE-IPHONE-07");
  EXPECT_EQ(d.platform, Platform::ios);
  EXPECT_EQ(d.os_version, "17.4.1");
  EXPECT_EQ(d.serial, "G6TZQ1L3PQ");
  EXPECT_EQ(d.model, "iPhone 15");
  EXPECT_EQ(d.ip_addresses, std::vector<std::string>{"10.42.18.77"});
  EXPECT_EQ(d.ownership, Ownership::corporate);
  EXPECT_EQ(d.management, Management::mdm);
  EXPECT_EQ(d.user, "theo.beaumont@northvale-health.org");
  EXPECT_EQ(d.encrypted, true);
  EXPECT_EQ(d.passcode_present, true);
  EXPECT_EQ(d.jailbroken, false);  // "Normal"
  EXPECT_EQ(d.cloud_backup, false);
  EXPECT_EQ(d.last_checkin, at("2024-05-02T06:58:33Z"));
  ASSERT_EQ(d.apps.size(), 3u);
  EXPECT_EQ(app(d, "com.epic.rover")->version, "10.3");  // the short version
  EXPECT_EQ(app(d, "com.epic.rover")->name, "Rover");
  EXPECT_EQ(app(d, "com.vocera.vina")->version, "4.2.0");  // no short version
}

TEST(ImportJamf, ClassicApiListSkipsRecordsWithoutId) {
  ImportBatch b = import_file(ImportSource::jamf, "jamf/classic_mobile_devices.json");
  ASSERT_EQ(b.devices.size(), 2u);
  EXPECT_EQ(wheres(b), (std::vector<std::string>{"jamf/classic_mobile_devices.json: mobile_devices[2]"}));
  const Device* ipad = find(b, "131");
  ASSERT_NE(ipad, nullptr);
  EXPECT_EQ(ipad->platform, Platform::ipados);
  EXPECT_EQ(ipad->management, Management::unmanaged);
  EXPECT_EQ(find(b, "118")->user, "tbeaumont");
}

TEST(ImportJamf, ProApiDetailAndPage) {
  ImportBatch detail = import_file(ImportSource::jamf, "jamf/v2_mobile_device_detail.json");
  ASSERT_EQ(detail.devices.size(), 1u);
  const Device& d = detail.devices[0];
  EXPECT_EQ(d.id, "204");
  EXPECT_EQ(d.ownership, Ownership::byod);  // UserEnrollment
  EXPECT_EQ(d.management, Management::mam);
  EXPECT_EQ(d.platform, Platform::ios);
  EXPECT_EQ(d.model, "iPhone 14 Pro");
  EXPECT_EQ(d.user, "erik.lindqvist@northvale-health.org");
  EXPECT_EQ(d.cloud_backup, true);
  EXPECT_EQ(d.encrypted, true);
  EXPECT_EQ(d.jailbroken, false);
  EXPECT_EQ(d.last_checkin, at("2024-05-01T19:04:13Z"));
  EXPECT_EQ(app(d, "com.epic.haiku")->version, "10.2.1");
  EXPECT_EQ(app(d, "com.cerner.powerchart.touch")->version, "5.4");

  ImportBatch page = import_file(ImportSource::jamf, "jamf/v2_mobile_devices_page.json");
  EXPECT_EQ(page.devices.size(), 2u);
  EXPECT_EQ(wheres(page), (std::vector<std::string>{"jamf/v2_mobile_devices_page.json: results[2]"}));
  const Device* ipad = find(page, "131");
  ASSERT_NE(ipad, nullptr);
  EXPECT_EQ(ipad->platform, Platform::ipados);
  EXPECT_EQ(ipad->ownership, Ownership::corporate);
  EXPECT_EQ(ipad->jailbroken, true);
  EXPECT_EQ(ipad->passcode_present, false);
}

TEST(ImportJamf, BothApisMergeByDeviceId) {
  std::vector<ImportBatch> batches;
  batches.push_back(import_file(ImportSource::jamf, "jamf/classic_mobile_devices.json"));
  batches.push_back(import_file(ImportSource::jamf, "jamf/v2_mobile_devices_page.json"));
  ImportBatch merged = merge_import(std::move(batches));
  EXPECT_EQ(merged.devices.size(), 3u);
  const Device* ipad = find(merged, "131");
  ASSERT_NE(ipad, nullptr);
  EXPECT_EQ(ipad->serial, "J9KWV7XR2N");
  EXPECT_EQ(ipad->os_version, "16.7.2");         // only the later file reports it
  EXPECT_EQ(ipad->management, Management::mdm);  // the later file's value wins
  EXPECT_EQ(ipad->name, "NICU-IPAD-03");
}

TEST(ImportJamf, UnknownShapeIsAnError) {
  auto b = parse_inventory(ImportSource::jamf, R"({"computers": []})", "jamf.json");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("jamf.json: no mobile device found; expected a Jamf Pro mobile-device export"),
            std::string::npos);
}

// ------------------------------------------------------------------ generic CSV and JSON

TEST(ImportCsv, ReadsDevicesAndSkipsBadRecords) {
  ImportBatch b = import_file(ImportSource::csv, "generic/devices.csv");
  EXPECT_EQ(b.devices.size(), 3u);
  EXPECT_EQ(wheres(b),
            (std::vector<std::string>{"generic/devices.csv:4", "generic/devices.csv:6", "generic/devices.csv:7"}));
  EXPECT_EQ(b.problems[0].reason,
            "column \"encrypted\" must be true or false (or yes/no, 1/0; empty: not reported), got \"maybe\"");
  EXPECT_NE(b.problems[1].reason.find("the id is empty"), std::string::npos);
  EXPECT_NE(b.problems[2].reason.find("3 fields, but the header has 20"), std::string::npos);

  const Device* kit = find(b, "HAH-KIT-0042");
  ASSERT_NE(kit, nullptr);
  EXPECT_EQ(kit->source, "csv");
  EXPECT_EQ(kit->platform, Platform::android);
  EXPECT_EQ(kit->patch_level, "2024-02-05");
  EXPECT_EQ(kit->encrypted, true);
  EXPECT_EQ(kit->biometrics, false);
  EXPECT_EQ(kit->passcode_length, 6);
  EXPECT_EQ(kit->network_segment, "HAH-VLAN-220");
  EXPECT_EQ(kit->tags, (std::vector<std::string>{"hospital-at-home", "telehealth"}));
  ASSERT_EQ(kit->apps.size(), 2u);
  EXPECT_EQ(kit->apps[0].id, "com.philips.ehealth");
  EXPECT_EQ(kit->apps[0].version, "4.8.1");
  EXPECT_EQ(kit->apps[0].source, AppSource::enterprise);
  EXPECT_EQ(kit->apps[1].source, AppSource::unknown);

  const Device* byod = find(b, "BYOD-7731");
  ASSERT_NE(byod, nullptr);
  EXPECT_EQ(byod->name, "Reyes, Jorge (personal)");
  EXPECT_EQ(byod->management, Management::work_profile);
  EXPECT_EQ(byod->unknown_sources, true);
  EXPECT_EQ(byod->app_config.at("offline_ephi_cache"), "true");
  EXPECT_TRUE(byod->tags.empty());

  const Device* cart = find(b, "CART-11");
  ASSERT_NE(cart, nullptr);
  EXPECT_EQ(cart->jailbroken, false);
  EXPECT_EQ(cart->biometrics, std::nullopt);
  EXPECT_EQ(cart->last_checkin, at("2024-05-02T02:10:00Z"));  // written with +02:00
}

TEST(ImportCsv, HeaderMistakesAreErrors) {
  auto error = [](const std::string& text) {
    auto b = parse_inventory(ImportSource::csv, text, "inv.csv");
    return b.ok() ? std::string("(no error)") : b.error().message;
  };
  EXPECT_EQ(error("id,platfrom\nA,ios\n"), "inv.csv:1: unknown column \"platfrom\" (did you mean \"platform\"?)");
  EXPECT_EQ(error("name,platform\nA,ios\n"), "inv.csv:1: no \"id\" column; every device needs its id");
  EXPECT_EQ(error("id,tags,Tags\nA,x,y\n"), "inv.csv:1: column \"tags\" appears twice; keep one");
}

TEST(ImportCsv, RecordProblemsDoNotStopTheImport) {
  auto b = parse_inventory(
      ImportSource::csv,
      "id,name,apps\nA,\xff\xfe,\nB,x\"y,\nC,ok,com.a@1@2@3\nD,ok,@1.0\nE,ok,com.a@1@fdroid\nF,ok,\n", "inv.csv");
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_EQ(b->devices.size(), 1u);
  EXPECT_EQ(b->devices[0].id, "F");
  std::vector<std::string> reasons;
  for (const auto& p : b->problems) reasons.push_back(p.where + ": " + p.reason);
  ASSERT_EQ(reasons.size(), 5u);
  EXPECT_EQ(reasons[0], "inv.csv:2: not UTF-8; save the file as UTF-8");
  EXPECT_EQ(reasons[1].rfind("inv.csv:3: a '\"' inside an unquoted field", 0), 0u);
  EXPECT_NE(reasons[2].find("has more than id@version@source"), std::string::npos);
  EXPECT_NE(reasons[3].find("has no id"), std::string::npos);
  EXPECT_NE(reasons[4].find("the source must be store, enterprise or sideloaded"), std::string::npos);
}

TEST(ImportJson, DevicesObjectWithBadRecords) {
  ImportBatch b = import_file(ImportSource::json, "generic/devices.json");
  EXPECT_EQ(b.devices.size(), 2u);
  ASSERT_EQ(wheres(b),
            (std::vector<std::string>{"generic/devices.json: devices[1]", "generic/devices.json: devices[2]"}));
  EXPECT_EQ(b.problems[0].reason, "field \"encrypted\" must be true, false or null, not string");
  EXPECT_NE(b.problems[1].reason.find("unknown field \"encryted\" (did you mean \"encrypted\"?)"), std::string::npos);
  const Device* tele = find(b, "TELE-IPAD-0007");
  ASSERT_NE(tele, nullptr);
  EXPECT_EQ(tele->source, "json");
  EXPECT_EQ(tele->apps[1].permissions, (std::vector<std::string>{"camera", "microphone", "contacts"}));
  EXPECT_EQ(tele->app_config.at("offline_ephi_cache"), "false");
  EXPECT_EQ(tele->unknown_sources, std::nullopt);
  EXPECT_EQ(find(b, "SIDE-0001")->apps[0].source, AppSource::sideloaded);
}

TEST(ImportJson, JsonLinesNameTheLine) {
  ImportBatch b = import_file(ImportSource::json, "generic/devices.jsonl");
  EXPECT_EQ(b.devices.size(), 2u);
  EXPECT_EQ(find(b, "CHK-002")->passcode_length, 4);
  ASSERT_EQ(wheres(b), (std::vector<std::string>{"generic/devices.jsonl:4", "generic/devices.jsonl:5"}));
  EXPECT_EQ(b.problems[0].reason.rfind("not valid JSON (", 0), 0u);
  EXPECT_NE(b.problems[1].reason.find("\"platform\" must be one of"), std::string::npos);
}

TEST(ImportJson, ArrayAndSingleObjectAndNonJson) {
  auto array = parse_inventory(ImportSource::json, R"([{"id": "A"}, {"id": "B", "tags": "x"}])", "a.json");
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(array->devices.size(), 1u);
  EXPECT_EQ(wheres(*array), (std::vector<std::string>{"a.json: [1]"}));
  auto one = parse_inventory(ImportSource::json, R"({"id": "A", "platform": "macOS"})", "one.json");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->devices.at(0).platform, Platform::macos);
  auto csv = parse_inventory(ImportSource::json, "id,platform\nA,ios\n", "inv.json");
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.error().message.rfind("inv.json: not valid JSON (", 0), 0u);
  EXPECT_NE(csv.error().message.find("expected an array of device objects"), std::string::npos);
  EXPECT_FALSE(parse_inventory(ImportSource::json, R"({"devices": {"id": "A"}})", "d.json").ok());
  EXPECT_FALSE(parse_inventory(ImportSource::json, "42", "d.json").ok());
}

// ------------------------------------------------------------------ merge and robustness

TEST(ImportMerge, LaterReportsWinAndAppsJoinById) {
  Device first;
  first.id = "D";
  first.os_version = "17.3";
  first.user = "a@example.org";
  first.encrypted = true;
  first.apps = {{"com.epic.haiku", "Haiku", "10.2", AppSource::store, {}}};
  first.tags = {"telehealth"};
  Device later;
  later.id = "D";
  later.os_version = "17.4";
  later.encrypted = std::nullopt;
  later.apps = {{"com.epic.haiku", "Haiku", "10.3", AppSource::store, {}},
                {"com.microsoft.skype.teams", "", "6.5", {}, {}}};
  later.tags = {"telehealth", "hospital-at-home"};
  std::vector<ImportBatch> batches(2);
  batches[0].devices = {first};
  batches[1].devices = {later};
  batches[1].device_apps = {{"D", App{"com.vocera.vina", "", "4.2", AppSource::unknown, {}}}};
  ImportBatch merged = merge_import(std::move(batches));
  ASSERT_EQ(merged.devices.size(), 1u);
  const Device& d = merged.devices[0];
  EXPECT_EQ(d.os_version, "17.4");
  EXPECT_EQ(d.user, "a@example.org");
  EXPECT_EQ(d.encrypted, true);
  ASSERT_EQ(d.apps.size(), 3u);
  EXPECT_EQ(app(d, "com.epic.haiku")->version, "10.3");
  EXPECT_NE(app(d, "com.vocera.vina"), nullptr);
  EXPECT_EQ(d.tags, (std::vector<std::string>{"telehealth", "hospital-at-home"}));
  EXPECT_TRUE(merged.problems.empty());
}

// Every prefix of every fixture: no crash, and whatever is imported survives
// the generic format unchanged.
TEST(ImportRobustness, TruncatedFilesNeverBreakTheImporters) {
  const std::pair<ImportSource, const char*> files[] = {{ImportSource::intune, "intune/managed_devices_page1.json"},
                                                        {ImportSource::intune, "intune/detected_apps_page.json"},
                                                        {ImportSource::jamf, "jamf/classic_mobile_device.json"},
                                                        {ImportSource::jamf, "jamf/v2_mobile_devices_page.json"},
                                                        {ImportSource::csv, "generic/devices.csv"},
                                                        {ImportSource::json, "generic/devices.json"},
                                                        {ImportSource::json, "generic/devices.jsonl"}};
  for (const auto& [source, name] : files) {
    const std::string text = fixture(name);
    ASSERT_FALSE(text.empty()) << name;
    for (size_t n = 0; n <= text.size(); n += 3) {
      auto batch = parse_inventory(source, std::string_view(text).substr(0, n), name);
      if (!batch) continue;
      std::vector<ImportBatch> one;
      one.push_back(std::move(*batch));
      for (const Device& d : merge_import(std::move(one)).devices) {
        std::string json = device_to_json(d);
        auto back = device_from_json(json, name);
        ASSERT_TRUE(back.ok()) << name << " cut at " << n << ": " << back.error().message;
        EXPECT_EQ(device_to_json(*back), json);
      }
    }
  }
}

}  // namespace
}  // namespace wardline::posture
