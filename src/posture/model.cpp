// Names of the device model's enumerations, and the spellings MDMs use for them.
#include <utility>

#include "core/strings.h"
#include "posture/import_parsers.h"

namespace wardline::posture {

namespace {

// Looks `text` up by its squashed form.
template <class E, size_t N>
std::optional<E> lookup(std::string_view text, const std::pair<std::string_view, E> (&table)[N]) {
  const std::string key = detail::squashed(text);
  for (const auto& [name, value] : table)
    if (name == key) return value;
  return std::nullopt;
}

}  // namespace

namespace detail {

std::string squashed(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '-' && c != '_' && c != '.' && c != '\t') out += ascii_lower(c);
  return out;
}

}  // namespace detail

std::string_view name_of(Platform p) {
  switch (p) {
    case Platform::ios: return "ios";
    case Platform::ipados: return "ipados";
    case Platform::android: return "android";
    case Platform::windows: return "windows";
    case Platform::macos: return "macos";
    case Platform::unknown: break;
  }
  return "unknown";
}

std::string_view name_of(Ownership o) {
  switch (o) {
    case Ownership::corporate: return "corporate";
    case Ownership::byod: return "byod";
    case Ownership::unknown: break;
  }
  return "unknown";
}

std::string_view name_of(Management m) {
  switch (m) {
    case Management::mdm: return "mdm";
    case Management::mam: return "mam";
    case Management::work_profile: return "work_profile";
    case Management::unmanaged: break;
  }
  return "unmanaged";
}

std::string_view name_of(AppSource s) {
  switch (s) {
    case AppSource::store: return "store";
    case AppSource::enterprise: return "enterprise";
    case AppSource::sideloaded: return "sideloaded";
    case AppSource::unknown: break;
  }
  return "unknown";
}

std::optional<Platform> parse_platform(std::string_view text) {
  // Intune's operatingSystem, Jamf's os_type / type, and what people type.
  static const std::pair<std::string_view, Platform> kNames[] = {
      {"unknown", Platform::unknown},         {"ios", Platform::ios},
      {"iphoneos", Platform::ios},            {"ipados", Platform::ipados},
      {"android", Platform::android},         {"androidforwork", Platform::android},
      {"androidenterprise", Platform::android}, {"windows", Platform::windows},
      {"windows10", Platform::windows},       {"windows11", Platform::windows},
      {"macos", Platform::macos},             {"macosx", Platform::macos},
      {"osx", Platform::macos},
  };
  return lookup(text, kNames);
}

std::optional<Ownership> parse_ownership(std::string_view text) {
  static const std::pair<std::string_view, Ownership> kNames[] = {
      {"unknown", Ownership::unknown},         {"corporate", Ownership::corporate},
      {"company", Ownership::corporate},       {"institutional", Ownership::corporate},
      {"byod", Ownership::byod},               {"personal", Ownership::byod},
  };
  return lookup(text, kNames);
}

std::optional<Management> parse_management(std::string_view text) {
  static const std::pair<std::string_view, Management> kNames[] = {
      {"unmanaged", Management::unmanaged}, {"mdm", Management::mdm},
      {"mam", Management::mam},             {"workprofile", Management::work_profile},
  };
  return lookup(text, kNames);
}

std::optional<AppSource> parse_app_source(std::string_view text) {
  static const std::pair<std::string_view, AppSource> kNames[] = {
      {"unknown", AppSource::unknown},      {"store", AppSource::store},
      {"appstore", AppSource::store},       {"playstore", AppSource::store},
      {"enterprise", AppSource::enterprise}, {"inhouse", AppSource::enterprise},
      {"sideloaded", AppSource::sideloaded},
  };
  return lookup(text, kNames);
}

std::optional<ImportSource> parse_import_source(std::string_view text) {
  static const std::pair<std::string_view, ImportSource> kNames[] = {
      {"intune", ImportSource::intune},
      {"jamf", ImportSource::jamf},
      {"csv", ImportSource::csv},
      {"json", ImportSource::json},
  };
  return lookup(text, kNames);
}

}  // namespace wardline::posture
