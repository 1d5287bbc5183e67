// What `serve` and the `ehr` commands share: the EHR access analytics built
// from policies/ehr.yaml, the staff directory, GeoIP, the smishing and
// threat-intel signals, with the baselines loaded from the store.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/config.h"
#include "ehr/ehr.h"

namespace wardline::posture { class DeviceInventory; }

namespace wardline::cli {

struct EhrRuntime {
  std::shared_ptr<const ehr::Settings> settings;
  std::shared_ptr<const ehr::PatientKey> key;
  std::shared_ptr<ehr::Analytics> analytics;
};

// ehr.settings, else the policies/ehr.yaml shipped with Wardline.
std::string ehr_settings_path(const Config& config);

// `settings_override` (a file) replaces ehr.settings, `directory_override` access.directory.
// `inventory` (optional): devices enrolled to a user are not new to them.
Result<EhrRuntime> open_ehr(const Config& config, const Keyring& keyring, store::Store& store,
                            std::shared_ptr<posture::DeviceInventory> inventory,
                            const std::string& settings_override = "", const std::string& directory_override = "");

// The ehr_anomaly access signal: the user's stored EHR alerts add up past risk.signal_at.
std::function<bool(const std::string& user, int64_t at)> ehr_risk_signal(const ehr::Settings& settings, store::Store& store);
// The settings alone (for the risk signal's half-life and threshold).
Result<std::shared_ptr<const ehr::Settings>> load_ehr_settings(const Config& config, const Keyring& keyring);

}  // namespace wardline::cli
