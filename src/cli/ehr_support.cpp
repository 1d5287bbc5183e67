#include "cli/ehr_support.h"

#include <nlohmann/json.hpp>

#include "access/access.h"
#include "cli/access_support.h"
#include "cli/resources.h"
#include "intel/intel.h"
#include "posture/posture.h"
#include "smish/smish.h"
#include "store/store.h"

namespace wardline::cli {
namespace {

std::string hours_ago(int64_t seconds) {
  return seconds < 7200 ? std::to_string(seconds / 60) + " min" : std::to_string(seconds / 3600) + " h";
}

// A threat-intel alert whose latest sighting came from this device or user
// within `window` seconds before `at`.
std::optional<std::string> intel_hit_on(store::Store& store, const std::string& user, const std::string& device,
                                        int64_t at, int64_t window) {
  intel::AlertBook book(store);
  std::string cursor;
  for (int pages = 0; pages < 5; ++pages) {  // most recently seen first: stop at the window's edge
    auto page = book.list("", cursor, 200);
    if (!page) return std::nullopt;
    for (const auto& a : page->alerts) {
      if (a.last_seen < at - window) return std::nullopt;
      if (a.last_seen > at || a.status == "false_positive") continue;
      if ((!device.empty() && a.last_device == device) || (!a.last_user.empty() && a.last_user == user))
        return "threat-intel hit on " + (a.last_device.empty() ? "their account" : "device " + a.last_device) + " (" +
               a.indicator + ") " + hours_ago(at - a.last_seen) + " earlier";
    }
    if (page->next_cursor.empty()) return std::nullopt;
    cursor = page->next_cursor;
  }
  return std::nullopt;
}

}  // namespace

std::string ehr_settings_path(const Config& config) {
  return config.ehr.settings.empty() ? resource_path("policies/ehr.yaml") : config.ehr.settings;
}

Result<EhrRuntime> open_ehr(const Config& config, const Keyring& keyring, store::Store& store,
                            std::shared_ptr<posture::DeviceInventory> inventory,
                            const std::string& settings_override, const std::string& directory_override) {
  EhrRuntime rt;
  rt.key = std::make_shared<const ehr::PatientKey>(ehr::PatientKey::from_keyring(keyring));
  auto settings = ehr::Settings::load(settings_override.empty() ? ehr_settings_path(config) : settings_override, *rt.key);
  if (!settings) return settings.error();
  rt.settings = *settings;
  auto directory = access::Directory::load(access_directory_path(config, directory_override));
  if (!directory) return directory.error();
  std::shared_ptr<const access::GeoIp> geoip;
  if (!config.ehr.geoip.empty()) {
    auto g = access::GeoIp::open(config.ehr.geoip);
    if (!g) return g.error();
    geoip = *g;
  }
  // A compromised credential shows as unusual access soon after the user was
  // phished or their device was seen talking to a known-bad address.
  const int64_t window = int64_t{rt.settings->compromise.window_hours} * 3600;
  auto org = smish::load_organization(config.smish.organization.empty() ? resource_path("examples/organization.yaml")
                                                                        : config.smish.organization);
  if (!org) return org.error();
  auto targeted = std::make_shared<smish::TargetedStaff>(store, org->staff, window);
  ehr::Sources sources;
  store::Store* db = &store;
  sources.compromised = [targeted, db, window](const std::string& user, const std::string& device,
                                               int64_t at) -> std::optional<std::string> {
    if (targeted->targeted(user, at))
      return "reported a credential-harvesting or MFA-theft text in the last " + std::to_string(window / 3600) + " h";
    return intel_hit_on(*db, user, device, at, window);
  };
  if (inventory)
    sources.device_user = [inventory](const std::string& device) -> std::optional<std::string> {
      auto d = inventory->summary(device);
      if (!d || !*d) return std::nullopt;
      return (*d)->user;
    };
  rt.analytics = std::make_shared<ehr::Analytics>(rt.settings, std::make_shared<const access::Directory>(std::move(*directory)),
                                                  geoip, std::move(sources));
  if (Status st = rt.analytics->load(store); !st) return st.error();
  return rt;
}

Result<std::shared_ptr<const ehr::Settings>> load_ehr_settings(const Config& config, const Keyring& keyring) {
  return ehr::Settings::load(ehr_settings_path(config), ehr::PatientKey::from_keyring(keyring));
}

std::function<bool(const std::string& user, int64_t at)> ehr_risk_signal(const ehr::Settings& settings, store::Store& store) {
  auto signal = std::make_shared<ehr::RiskSignal>(store, settings.risk_half_life_hours, settings.risk_signal_at);
  return [signal](const std::string& user, int64_t at) { return signal->elevated(user, at); };
}

}  // namespace wardline::cli
