// Combining what two sources say about one device: an agent's check-in over
// the MDM's import, or several pages of one export.
#include "posture/posture.h"

namespace wardline::posture {
namespace {

void take(std::string& into, const std::string& from) {
  if (!from.empty()) into = from;
}

template <typename T>
void take(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

}  // namespace

void overlay(Device& into, const Device& from) {
  take(into.id, from.id);
  take(into.source, from.source);
  take(into.name, from.name);
  take(into.model, from.model);
  take(into.serial, from.serial);
  if (from.platform != Platform::unknown) into.platform = from.platform;
  take(into.os_version, from.os_version);
  take(into.patch_level, from.patch_level);
  if (from.ownership != Ownership::unknown) into.ownership = from.ownership;
  if (from.management != Management::unmanaged) into.management = from.management;
  take(into.user, from.user);
  take(into.encrypted, from.encrypted);
  take(into.passcode_present, from.passcode_present);
  take(into.passcode_length, from.passcode_length);
  take(into.biometrics, from.biometrics);
  take(into.jailbroken, from.jailbroken);
  take(into.unknown_sources, from.unknown_sources);
  take(into.cloud_backup, from.cloud_backup);
  if (!from.apps.empty()) into.apps = from.apps;
  for (const auto& [k, v] : from.app_config) into.app_config[k] = v;
  if (from.last_checkin > into.last_checkin) into.last_checkin = from.last_checkin;
  take(into.network_segment, from.network_segment);
  if (!from.ip_addresses.empty()) into.ip_addresses = from.ip_addresses;
  if (!from.tags.empty()) into.tags = from.tags;
}

}  // namespace wardline::posture
