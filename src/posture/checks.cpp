// The posture checks: each judges one aspect of a device against the rule
// that configures it and says what is wrong, why it matters and how to fix it.
#include <algorithm>

#include "core/time.h"
#include "posture/policy_impl.h"

namespace wardline::posture {
namespace {

// Why each check matters, in the words of the practices Wardline is built
// from, and what the device's owner or the MDM administrator does about it.
CheckExplanation explain(CheckId id) {
  switch (id) {
    case CheckId::os_version:
      return {"An outdated OS is a known vulnerability waiting to be exploited; OS updates are a clinical safety control.",
              "Update the OS (Settings > General > Software Update on iOS; Settings > System > System update on Android), or "
              "enforce the minimum version in the MDM."};
    case CheckId::app_versions:
      return {"Old versions of clinical apps carry fixed vulnerabilities; app updates are a clinical safety control.",
              "Update the app from the App Store / Google Play or push the current version from the MDM."};
    case CheckId::encryption:
      return {"Full device encryption is non-negotiable: without it a lost or stolen device exposes every patient record on it.",
              "Enable encryption (set a passcode on iOS; Settings > Security > Encrypt on older Android) and require it in the "
              "MDM compliance policy."};
    case CheckId::passcode:
      return {"A minimum six-digit PIN with biometrics ties the device's keys to its user.",
              "Set a passcode of at least the required length and enforce it with an MDM passcode policy."};
    case CheckId::biometrics:
      return {"Biometrics tie unlocking to hardware-backed keys (FIDO2/WebAuthn-aligned).",
              "Enroll Face ID / Touch ID / fingerprint unlock and require it in the MDM policy."};
    case CheckId::jailbreak:
      return {"A jailbroken or rooted device defeats the OS sandbox, encryption and every MDM control.",
              "Restore the device to factory firmware and re-enroll it; until then it must not reach ePHI."};
    case CheckId::sideloading:
      return {"Sideloading and unknown sources bypass app-store review: the path of most mobile malware.",
              "Disable 'Install unknown apps' at the MDM policy level and remove sideloaded apps."};
    case CheckId::cloud_backup:
      return {"Unencrypted iCloud or Google Drive backups of managed apps copy ePHI out of the hospital's control.",
              "Block cloud backup for managed apps in the MDM / app protection policy."};
    case CheckId::app_catalogue:
      return {"Apps outside the approved catalogue have not been reviewed for how they handle patient data.",
              "Remove the app, or have it reviewed and added to the catalogue in the posture policy."};
    case CheckId::app_permissions:
      return {"A clinical app that requests the microphone or contacts list is a risk that needs immediate review.",
              "Revoke the permission on the device or through the MDM, or approve it for that app in the catalogue."};
    case CheckId::management:
      return {"Corporate devices need full MDM enrollment; personal devices need MAM or an Android work profile so work data "
              "stays separate and can be selectively wiped.",
              "Enroll the device the way its ownership requires (MDM for corporate; MAM / work profile for BYOD)."};
    case CheckId::ephi_cache:
      return {"ePHI must never be cached on a personal device: clinical apps should render from the server and store nothing.",
              "Turn off the app's offline cache through the MDM app configuration."};
    case CheckId::segment:
      return {"Hospital-at-home equipment must sit on a dedicated, segmented SSID or VLAN (NIST CSWP 34).",
              "Connect the device to the dedicated hospital-at-home network segment."};
    case CheckId::checkin_age:
      return {"A device that has not checked in for long has an unknown posture.",
              "Open the MDM company portal app or power the device on a network so it checks in; retire it if it is lost."};
    case CheckId::patch_sla:
      return {"Patch SLAs classify vulnerabilities by severity: a critical CVE affecting an EHR mobile client is patched within "
              "72 hours, not the next maintenance window.",
              "Install the update that fixes the advisory before its deadline."};
  }
  return {};
}

constexpr size_t kShownItems = 5;

// A list of items named in a message, capped: "a, b, c, d, e and 4 more".
// Items past the cap are counted, never formatted (a device may hold
// dozens of apps outside the catalogue).
class Capped {
 public:
  template <typename Format>
  void add(Format&& format) {
    if (shown_.size() < kShownItems) shown_.push_back(format());
    ++count_;
  }
  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  void append_to(std::string& out) const {
    for (size_t i = 0; i < shown_.size(); ++i) out += (i ? ", " : "") + shown_[i];
    if (count_ > shown_.size()) out += " and " + std::to_string(count_ - shown_.size()) + " more";
  }

 private:
  std::vector<std::string> shown_;
  size_t count_ = 0;
};

void append_capped(std::string& out, const std::vector<std::string>& items) {
  Capped c;
  for (const auto& i : items) c.add([&] { return i; });
  c.append_to(out);
}

std::string duration_text(int64_t seconds) {
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 60) + "m";
}

std::string_view platform_label(Platform p) {
  switch (p) {
    case Platform::ios: return "iOS";
    case Platform::ipados: return "iPadOS";
    case Platform::android: return "Android";
    case Platform::windows: return "Windows";
    case Platform::macos: return "macOS";
    case Platform::unknown: break;
  }
  return "the OS";
}

struct Judge {
  const Policy::Impl& policy;
  const Device& d;
  int64_t now;
  const AdvisoryIndex* advisories;
  std::vector<Finding>& out;

  void fail(const CheckSpec& c, std::string message, int64_t deadline = 0) {
    Finding f;
    f.check = std::string(name_of(c.id));
    f.enforcement = c.enforcement;
    f.grace = c.grace;
    f.deadline = deadline;
    f.quarantine = c.quarantine;
    f.message = std::move(message);
    out.push_back(std::move(f));
  }

  // A value the MDM did not report: a finding at the check's enforcement
  // when the policy says unreported values fail, else report-only.
  void unreported(const CheckSpec& c, const std::string& what) {
    fail(c, "the MDM did not report " + what);
    if (!policy.unreported_fails) {
      out.back().enforcement = Enforcement::report;
      out.back().quarantine = false;
    }
  }

  void flag(const CheckSpec& c, const std::optional<bool>& value, bool bad, const std::string& what, std::string message) {
    if (!value) return unreported(c, what);
    if (*value == bad) fail(c, std::move(message));
  }

  void os_version(const CheckSpec& c) {
    if (!c.min.empty()) {
      if (d.os_version.empty()) unreported(c, "the OS version");
      else if (compare_versions(d.os_version, c.min) < 0)
        fail(c, std::string(platform_label(d.platform)) + " " + d.os_version + " is older than the minimum " + c.min);
    }
    if (c.max_patch_age > 0 && d.platform == Platform::android) {
      if (d.patch_level.empty()) return unreported(c, "the Android security patch level");
      auto level = parse_advisory_time(d.patch_level, "UTC");
      if (!level) return fail(c, "security patch level '" + d.patch_level + "' is not a date (YYYY-MM-DD)");
      if (now - *level > c.max_patch_age)
        fail(c, "security patch level " + d.patch_level + " is older than " + duration_text(c.max_patch_age));
    }
  }

  void passcode(const CheckSpec& c) {
    if (!d.passcode_present && !d.passcode_length) return unreported(c, "whether a passcode is set");
    if ((d.passcode_present && !*d.passcode_present) || (d.passcode_length && *d.passcode_length == 0))
      return fail(c, "no passcode is set");
    if (!d.passcode_length) return;  // present; length not reported (the MDM's passcode policy enforces it)
    if (*d.passcode_length < c.min_length)
      fail(c, "the passcode has " + std::to_string(*d.passcode_length) + " characters; at least " +
                  std::to_string(c.min_length) + " are required");
  }

  void management(const CheckSpec& c) {
    if (std::find(c.require.begin(), c.require.end(), d.management) != c.require.end()) return;
    std::string want;
    for (auto m : c.require) want += (want.empty() ? "" : " or ") + std::string(name_of(m));
    std::string owner = d.ownership == Ownership::unknown ? "a device of unknown ownership" : std::string(name_of(d.ownership)) + " device";
    fail(c, std::string(owner) + " managed as " + std::string(name_of(d.management)) + "; this policy requires " + want);
  }

  void ephi_cache(const CheckSpec& c) {
    std::vector<std::string> caching;
    for (const auto& flag : c.flags) {
      for (const auto& [key, value] : d.app_config) {
        // Flags are "offline_ephi_cache" or per app "com.epic.haiku.offline_ephi_cache".
        bool named = key == flag || (key.size() > flag.size() && key.ends_with(flag) && key[key.size() - flag.size() - 1] == '.');
        if (named && (value == "true" || value == "1" || value == "yes")) caching.push_back(key);
      }
    }
    if (caching.empty()) return;
    std::string m = "apps are configured to cache ePHI on the device: ";
    append_capped(m, caching);
    fail(c, std::move(m));
  }

  void segment(const CheckSpec& c) {
    if (d.network_segment.empty()) return unreported(c, "the network segment (SSID or VLAN)");
    if (std::find(c.allowed.begin(), c.allowed.end(), d.network_segment) != c.allowed.end()) return;
    std::string want;
    append_capped(want, c.allowed);
    fail(c, "on network segment '" + d.network_segment + "'; hospital-at-home equipment belongs on " + want);
  }

  void checkin_age(const CheckSpec& c) {
    if (d.last_checkin <= 0) return fail(c, "the device has never checked in");
    if (now - d.last_checkin > c.max_age)
      fail(c, "last check-in " + to_rfc3339(d.last_checkin) + ", more than " + duration_text(c.max_age) + " ago");
  }

  void apps(const EffectiveChecks& checks) {
    const CheckSpec* versions = checks[static_cast<size_t>(CheckId::app_versions)];
    const CheckSpec* catalogue = checks[static_cast<size_t>(CheckId::app_catalogue)];
    const CheckSpec* permissions = checks[static_cast<size_t>(CheckId::app_permissions)];
    const CheckSpec* sideloading = checks[static_cast<size_t>(CheckId::sideloading)];
    Capped outdated, outside, excessive, sideloaded;
    Policy::AppVerdict v;
    for (const auto& app : d.apps) {
      policy_app_verdict(app, v);
      if (v.outdated) outdated.add([&] { return app.id + " " + app.version + " < " + std::string(v.min_version); });
      if (!v.approved) outside.add([&] { return app.id; });
      if (!v.excessive_permissions.empty())
        excessive.add([&] {
          std::string p = app.id + " (";
          for (size_t i = 0; i < v.excessive_permissions.size(); ++i) p += (i ? ", " : "") + v.excessive_permissions[i];
          return p + ")";
        });
      if (v.sideloaded) sideloaded.add([&] { return app.id; });
    }
    auto report = [&](const CheckSpec* c, const Capped& items, const char* what) {
      if (!c || items.empty()) return;
      std::string m = std::to_string(items.count()) + what;
      items.append_to(m);
      fail(*c, std::move(m));
    };
    report(versions, outdated, " app(s) older than the catalogue's minimum version: ");
    report(catalogue, outside, " app(s) outside the approved catalogue: ");
    report(permissions, excessive, " app(s) hold flagged permissions not approved for them: ");
    if (sideloading) {
      std::string m;
      if (d.unknown_sources && *d.unknown_sources) m = "installing apps from unknown sources is allowed";
      if (!sideloaded.empty()) {
        m += (m.empty() ? "" : "; ") + std::to_string(sideloaded.count()) + " sideloaded app(s): ";
        sideloaded.append_to(m);
      }
      if (!m.empty()) fail(*sideloading, std::move(m));
      else if (!d.unknown_sources && d.platform == Platform::android)
        unreported(*sideloading, "whether unknown sources are allowed");
    }
  }

  void policy_app_verdict(const App& app, Policy::AppVerdict& v) const;

  void patch_sla(const CheckSpec& c) {
    if (!advisories) return;
    std::vector<Exposure> found;
    advisories->exposures(d, found);
    if (found.empty()) return;
    // The earliest deadlines first; only those shown are formatted.
    size_t shown = std::min(found.size(), kShownItems);
    std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(shown), found.end(),
                      [](const Exposure& a, const Exposure& b) { return a.deadline < b.deadline; });
    std::string m = std::to_string(found.size()) + " open advisory(ies): ";
    for (size_t i = 0; i < shown; ++i) {
      const Exposure& e = found[i];
      m += (i ? ", " : "") + e.advisory->id + " (" + std::string(name_of(e.severity)) +
           (e.advisory->known_exploited ? ", known exploited" : "") + ", " + std::string(e.product) + " " +
           std::string(e.installed) + (e.deadline <= now ? ", overdue since " : ", patch by ") + to_rfc3339(e.deadline) + ")";
    }
    if (found.size() > shown) m += " and " + std::to_string(found.size() - shown) + " more";
    fail(c, std::move(m), found.front().deadline);
  }

  void run(const EffectiveChecks& checks) {
    for (const CheckSpec* c : checks) {
      if (!c) continue;
      switch (c->id) {
        case CheckId::os_version: os_version(*c); break;
        case CheckId::encryption: flag(*c, d.encrypted, false, "whether storage is encrypted", "storage is not encrypted"); break;
        case CheckId::passcode: passcode(*c); break;
        case CheckId::biometrics: flag(*c, d.biometrics, false, "whether biometric unlock is enabled", "biometric unlock is not enabled"); break;
        case CheckId::jailbreak: flag(*c, d.jailbroken, true, "whether the device is jailbroken or rooted", "the device is jailbroken or rooted"); break;
        case CheckId::cloud_backup:
          flag(*c, d.cloud_backup, true, "whether managed apps may back up to the cloud", "managed apps may back up to iCloud / Google Drive");
          break;
        case CheckId::management: management(*c); break;
        case CheckId::ephi_cache: ephi_cache(*c); break;
        case CheckId::segment: segment(*c); break;
        case CheckId::checkin_age: checkin_age(*c); break;
        case CheckId::patch_sla: patch_sla(*c); break;
        case CheckId::app_versions:
        case CheckId::app_catalogue:
        case CheckId::app_permissions:
        case CheckId::sideloading: break;  // one pass over the apps, below
      }
    }
    apps(checks);
  }
};

void judge_app_into(const Policy::Impl& p, const App& app, Policy::AppVerdict& v) {
  v.excessive_permissions.clear();
  v.sideloaded = app.source == AppSource::sideloaded;
  const CatalogueApp* entry = p.find_app(app.id);
  v.approved = entry != nullptr;
  v.min_version = entry ? std::string_view(entry->min_version) : std::string_view();
  v.outdated = !v.min_version.empty() && !app.version.empty() && compare_versions(app.version, v.min_version) < 0;
  for (const auto& perm : app.permissions) {
    if (std::find(p.flagged_permissions.begin(), p.flagged_permissions.end(), perm) == p.flagged_permissions.end()) continue;
    if (entry && std::find(entry->permissions.begin(), entry->permissions.end(), perm) != entry->permissions.end())
      continue;
    v.excessive_permissions.push_back(perm);
  }
}

void Judge::policy_app_verdict(const App& app, Policy::AppVerdict& v) const { judge_app_into(policy, app, v); }

}  // namespace

CheckExplanation explain_check(std::string_view check) {
  auto id = parse_check(check);
  return id ? explain(*id) : CheckExplanation{};
}

void Policy::evaluate(const Device& d, int64_t now, const AdvisoryIndex* advisories, std::vector<Finding>& out) const {
  Judge{*impl_, d, now, advisories, out}.run(impl_->effective(d));
}

Policy::AppVerdict Policy::judge_app(const App& app) const {
  AppVerdict v;
  judge_app_into(*impl_, app, v);
  return v;
}

}  // namespace wardline::posture
