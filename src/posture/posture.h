// Device posture and compliance: the inventory the hospital's MDM knows
// (Intune, Jamf, generic CSV/JSON, on-device check-ins), judged against the
// posture policy (policies/posture.yaml, docs/posture-policy.md) and against
// vulnerability advisories with patch SLAs (CISA KEV, NVD CVE 2.0, local).
//
// The access decision point asks this header whether a device may be used:
// `DeviceInventory::get(id)->state`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wardline::store { class Store; }

namespace wardline::posture {

// ------------------------------------------------------------------ model

enum class Platform { unknown, ios, ipados, android, windows, macos };
enum class Ownership { unknown, corporate, byod };
enum class Management { unmanaged, mdm, mam, work_profile };
enum class AppSource { unknown, store, enterprise, sideloaded };

std::string_view name_of(Platform p);
std::string_view name_of(Ownership o);
std::string_view name_of(Management m);
std::string_view name_of(AppSource s);
std::optional<Platform> parse_platform(std::string_view text);  // also "iOS", "iPadOS", "Android", ...
std::optional<Ownership> parse_ownership(std::string_view text);  // corporate|company|byod|personal
std::optional<Management> parse_management(std::string_view text);
std::optional<AppSource> parse_app_source(std::string_view text);

struct App {
  std::string id;       // bundle id / package name, e.g. com.epic.haiku
  std::string name;
  std::string version;
  AppSource source = AppSource::unknown;
  std::vector<std::string> permissions;  // camera, microphone, contacts, sms, accessibility, location, ...
};

// What the MDM (or the device itself) reports. Unset optionals were not
// reported; the policy decides what an unreported value means.
struct Device {
  std::string id;
  std::string source;  // intune, jamf, csv, json, checkin
  std::string name, model, serial;
  Platform platform = Platform::unknown;
  std::string os_version;
  std::string patch_level;  // Android security patch level, YYYY-MM-DD
  Ownership ownership = Ownership::unknown;
  Management management = Management::unmanaged;
  std::string user;  // UPN or e-mail of the assigned user
  std::optional<bool> encrypted;
  std::optional<bool> passcode_present;
  std::optional<int> passcode_length;
  std::optional<bool> biometrics;
  std::optional<bool> jailbroken;
  std::optional<bool> unknown_sources;  // sideloading / unknown sources allowed
  std::optional<bool> cloud_backup;     // cloud backup of managed apps allowed
  std::vector<App> apps;
  std::map<std::string, std::string> app_config;  // e.g. offline_ephi_cache: "true"
  int64_t last_checkin = 0;                       // unix seconds, 0: never
  std::string network_segment;                    // SSID or VLAN
  std::vector<std::string> ip_addresses;          // last known; threat-intel alerts name the device at an address
  std::vector<std::string> tags;                  // hospital-at-home, telehealth, ...
};

// Dotted versions compared numerically ("10.2" < "10.10"; "17" == "17.0").
int compare_versions(std::string_view a, std::string_view b);

// The device as JSON in the generic format (docs/devices.md), and back.
std::string device_to_json(const Device& d);
// `where` names the record in error messages.
Result<Device> device_from_json(std::string_view json, const std::string& where);

// The fields `from` reports replace those of `into`; unreported ones (empty
// strings, unset optionals, empty lists) leave `into` as it was.
void overlay(Device& into, const Device& from);

// ------------------------------------------------------------------ importers

enum class ImportSource { intune, jamf, csv, json };
std::optional<ImportSource> parse_import_source(std::string_view text);

struct ImportProblem {
  std::string where;   // "file:line" or "file: value[3]"
  std::string reason;  // what is wrong and how to fix it
};

// One file's contribution. Apps may arrive apart from their devices (Intune
// detectedApp pages expanded with managedDevices): they are joined by
// `merge_import`.
struct ImportBatch {
  std::vector<Device> devices;
  std::vector<std::pair<std::string, App>> device_apps;  // device id, app
  std::vector<ImportProblem> problems;                   // bad records, skipped
  int pages = 0;            // Graph pages read
  int pages_with_next = 0;  // of which carried @odata.nextLink
};

// Parses one file; a malformed file is an error, a malformed record a problem.
Result<ImportBatch> parse_inventory(ImportSource source, std::string_view text, const std::string& file_name);
// Joins batches: apps onto their devices, the same device from several
// pages once. A Graph export whose every page has a nextLink is reported
// as incomplete.
ImportBatch merge_import(std::vector<ImportBatch> batches);

// ------------------------------------------------------------------ advisories

enum class Severity { low, medium, high, critical };
std::string_view name_of(Severity s);
std::optional<Severity> parse_severity(std::string_view text);

// A product a device runs: "os:ios", "os:ipados", "os:android", "os:windows",
// "os:macos", or "app:<app id>".
struct AffectedRange {
  std::string product;
  std::string version;  // exactly this version (empty: use the bounds)
  std::string start_including, start_excluding, end_including, end_excluding;
  std::string fixed_patch_level;  // Android: a patch level before this is affected
};

struct Advisory {
  std::string id;  // CVE-2024-23222 or a local id
  std::vector<std::string> sources;  // kev, nvd, local
  Severity severity = Severity::medium;
  double cvss = 0;
  bool known_exploited = false;  // on CISA's KEV catalogue: treated as critical
  int64_t published = 0;         // the SLA clock starts here (unix seconds, UTC)
  std::string title;
  std::vector<AffectedRange> affected;
};

enum class AdvisorySource { kev, nvd, local };
std::optional<AdvisorySource> parse_advisory_source(std::string_view text);

// NVD names products by CPE vendor:product; the policy maps them to ours
// ("apple:iphone_os" -> "os:ios", "microsoft:teams" -> "app:com.microsoft.skype.teams").
using CpeProductMap = std::multimap<std::string, std::string>;

struct AdvisoryBatch {
  std::vector<Advisory> advisories;
  std::vector<ImportProblem> problems;
  size_t unmapped = 0;  // NVD records about products no device can run
};
// `timezone` (IANA name) places date-only values ("2024-01-23") at local
// midnight; values with an offset keep it.
Result<AdvisoryBatch> parse_advisories(AdvisorySource source, std::string_view text, const std::string& file_name,
                                       const CpeProductMap& products, const std::string& timezone);
// A time as advisories write it: RFC 3339, NVD's "2024-01-23T01:15:10.083"
// (UTC) or a date (local midnight in `timezone`).
Result<int64_t> parse_advisory_time(std::string_view text, const std::string& timezone);

// Severity -> time allowed to patch.
struct SlaPolicy {
  int64_t critical = 72 * 3600, high = 7 * 86400, medium = 30 * 86400, low = 90 * 86400;
  int64_t for_severity(Severity s) const;
};

// One advisory affecting one product on one device. The views point into
// the index and the device: valid while both are.
struct Exposure {
  const Advisory* advisory = nullptr;
  std::string_view product;
  std::string_view installed;  // the version (or patch level) found
  Severity severity = Severity::medium;  // known-exploited ones count as critical
  int64_t deadline = 0;
};

// Advisories by product, for matching devices quickly.
class AdvisoryIndex {
 public:
  AdvisoryIndex(std::vector<Advisory> advisories, SlaPolicy sla);
  ~AdvisoryIndex();
  AdvisoryIndex(AdvisoryIndex&&) noexcept;
  void exposures(const Device& device, std::vector<Exposure>& out) const;
  const std::vector<Advisory>& advisories() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Advisories kept in the store; the same id from several sources merges
// (KEV's exploitation flag, NVD's affected versions, local overrides).
class AdvisoryBook {
 public:
  explicit AdvisoryBook(store::Store& store);
  struct Counts {
    size_t added = 0, updated = 0;
  };
  Result<Counts> upsert(const std::vector<Advisory>& advisories);
  Result<std::vector<Advisory>> all();

 private:
  store::Store& store_;
};

// ------------------------------------------------------------------ policy

enum class Enforcement { report, grace, block };
std::string_view name_of(Enforcement e);

struct Finding {
  std::string check;  // os_version, encryption, passcode, ...
  Enforcement enforcement = Enforcement::report;
  int64_t grace = 0;     // seconds, for Enforcement::grace
  int64_t deadline = 0;  // set by checks with their own deadline (patch SLA)
  bool quarantine = false;  // failing it quarantines at once (jailbreak)
  std::string message;  // what is wrong on this device
};

// Why a check matters (from the practices Wardline is built on) and how to
// fix a failure; empty for an unknown check name.
struct CheckExplanation {
  std::string_view why, fix;
};
CheckExplanation explain_check(std::string_view check);

struct PolicyProblem {
  std::string where, reason;
};

class Policy {
 public:
  // Reads policies/posture.yaml; `where` names the file in errors.
  static Result<std::shared_ptr<const Policy>> parse(std::string_view yaml, const std::string& where);
  static Result<std::shared_ptr<const Policy>> load(const std::string& path);
  ~Policy();

  // Every failing check; unreported values follow `unreported`.
  void evaluate(const Device& d, int64_t now, const AdvisoryIndex* advisories, std::vector<Finding>& out) const;
  const SlaPolicy& sla() const;
  const CpeProductMap& cpe_products() const;
  const std::string& timezone() const;
  int64_t quarantine_after() const;  // noncompliant this long -> quarantined

  // One installed app against the catalogue: what the app checks and the
  // app inventory audit see.
  struct AppVerdict {
    bool approved = false;            // in the catalogue
    std::string_view min_version;     // the catalogue's minimum, if any
    bool outdated = false;            // older than min_version
    bool sideloaded = false;
    std::vector<std::string> excessive_permissions;  // flagged and not approved for it
  };
  AppVerdict judge_app(const App& app) const;

  struct Impl;

 private:
  explicit Policy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------ engine

enum class State { compliant, grace, noncompliant, quarantined };
std::string_view name_of(State s);
std::optional<State> parse_state(std::string_view text);

// A device's standing: its state, since when, the deadline of a grace
// period, and the checks it fails (each with the time it began failing).
struct Standing {
  State state = State::compliant;
  int64_t since = 0;
  int64_t deadline = 0;  // grace: when it becomes noncompliant
  std::vector<Finding> findings;
  std::map<std::string, int64_t> failing_since;
};

// The next standing from the previous one and today's findings.
Standing next_standing(const Standing& previous, std::vector<Finding> findings, int64_t now, const Policy& policy);

struct DeviceRecord {
  Device device;
  Standing standing;
  int64_t updated_at = 0;
};

struct StateChange {
  std::string device_id, user;
  std::optional<State> from;  // none: first seen
  State to = State::compliant;
  std::vector<std::string> checks;        // failing checks (report-only ones left out)
  std::optional<DeviceRecord> previous;  // to undo the change
};

// Devices and their standings in the store.
class SummaryCache;

class DeviceInventory {
 public:
  // How long summary() may answer from memory. Writes through this
  // inventory show at once; writes by another daemon or the CLI on the same
  // database within this time.
  static constexpr std::chrono::milliseconds kSummaryTtl{5000};

  DeviceInventory(store::Store& store, std::shared_ptr<const Policy> policy,
                  std::shared_ptr<const AdvisoryIndex> advisories,
                  std::chrono::milliseconds summary_ttl = kSummaryTtl);
  ~DeviceInventory();

  // Stores the devices and evaluates them; returns the state changes (the
  // caller audits them): every change of state, and new devices that are
  // not compliant. An imported device replaces the stored one.
  Result<std::vector<StateChange>> put(const std::vector<Device>& devices, int64_t now);
  // Re-evaluates every stored device (grace deadlines pass, check-ins age).
  Result<std::vector<StateChange>> reevaluate(int64_t now);
  Result<std::optional<DeviceRecord>> get(const std::string& id);
  // A device's state, ownership and user only: what access decisions need,
  // without reading the whole device; kept in memory for summary_ttl.
  struct Summary {
    State state = State::compliant;
    Ownership ownership = Ownership::unknown;
    std::string user;
  };
  Result<std::optional<Summary>> summary(const std::string& id);
  // The device that last reported `address` as its own.
  Result<std::optional<DeviceRecord>> find_by_address(const std::string& address);
  // Takes the changes back (their audit records could not be written).
  Status undo(const std::vector<StateChange>& changes);
  Result<size_t> count();

  struct Filter {
    std::string state, ownership, platform, user, check;
  };
  struct Page {
    std::vector<DeviceRecord> devices;
    std::string next_cursor;
  };
  Result<Page> list(const Filter& filter, const std::string& cursor, int limit);
  // Every device, for reports.
  Status each(const std::function<void(const DeviceRecord&)>& fn);

  // What devices are judged by; swapped when the policy file or the
  // advisories change (the daemon reloads them), used by later calls.
  void use(std::shared_ptr<const Policy> policy, std::shared_ptr<const AdvisoryIndex> advisories);
  std::shared_ptr<const Policy> policy() const;
  std::shared_ptr<const AdvisoryIndex> advisories() const;

 private:
  store::Store& store_;
  mutable std::mutex mu_;
  std::shared_ptr<const Policy> policy_;
  std::shared_ptr<const AdvisoryIndex> advisories_;
  std::unique_ptr<SummaryCache> summaries_;
};

// ------------------------------------------------------------------ reports

enum class ReportKind { app_audit, patch_sla, fleet };
enum class ReportFormat { text, csv, json };
std::optional<ReportKind> parse_report_kind(std::string_view text);  // app-audit|patch-sla|fleet
std::optional<ReportFormat> parse_report_format(std::string_view text);

// Renders a report over every device in the inventory.
Result<std::string> render_report(DeviceInventory& inventory, ReportKind kind, ReportFormat format, int64_t now);

}  // namespace wardline::posture
