// EHR access analytics: the audit records EHRs and PACS already emit (HL7
// FHIR R4 AuditEvent, IHE ATNA / DICOM PS3.15 audit messages, JSON lines)
// become access events; per-user and per-peer-group baselines learn what
// normal looks like; detections raise explained alerts (volume spikes,
// off-hours access, new devices and locations, impossible travel, VIP
// snooping, lateral movement), escalated when the user was recently phished
// or their device hit threat intel; a per-user risk score feeds the access
// decision point. docs/ehr-analytics.md says how, and why.
//
// Patients are never stored: parsers hash each patient id with a keyed
// hash (PatientKey) before the event leaves them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wardline {
class Keyring;
namespace store { class Store; }
namespace audit { class Recorder; }
namespace access { class Directory; class GeoIp; }
}  // namespace wardline

namespace wardline::ehr {

// ------------------------------------------------------------------ events

// One access to clinical data, whatever format it arrived in.
struct AccessEvent {
  int64_t time = 0;              // Unix seconds, UTC
  std::string user;              // the EHR's user id (as the directory and the IdP know it)
  std::string role, department;  // when the record says; else the directory fills them
  std::string application;       // lower case, e.g. "haiku", "rover", "pacs-viewer", "hyperspace"
  std::string device;            // device id or host name; empty: unknown
  std::string source_ip;         // empty: unknown
  std::string patient;           // PatientKey::hash of the patient id; empty: no patient involved
  std::string resource_type;     // e.g. "Patient", "Observation", "ImagingStudy", "DocumentReference"
  std::string action;            // create | read | update | delete | execute
  std::string outcome = "success";  // success | failure
  std::optional<std::pair<double, double>> position;  // latitude, longitude when the record has them
};

// A keyed hash of patient identifiers (HMAC-SHA256, first 16 bytes, hex):
// equal ids give equal hashes, and nobody without the key can test a
// medical record number against them.
class PatientKey {
 public:
  explicit PatientKey(std::string_view secret);  // any length; 32 random bytes in production
  // The key derived from the keyring's index key, so hashes are stable across restarts and hosts.
  static PatientKey from_keyring(const Keyring& keyring);
  PatientKey(const PatientKey&);
  PatientKey& operator=(const PatientKey&);
  ~PatientKey();
  std::string hash(std::string_view patient_id) const;  // 32 lowercase hex characters

 private:
  std::string secret_;
  struct Cache;  // a keyed HMAC state per thread, so hashing costs no key setup
  std::shared_ptr<Cache> cache_;
};

// ------------------------------------------------------------------ formats

enum class Format { fhir, atna, jsonl };
std::string_view name_of(Format f);
std::optional<Format> parse_format(std::string_view name);
// From the content: '<' first -> atna, a JSON object with "resourceType" -> fhir, else jsonl.
Format sniff_format(std::string_view text);

// A record that could not be read, and where: `record` counts records from
// 1 in input order (NDJSON / JSON lines: the line; a Bundle: the entry;
// ATNA: the AuditMessage), `line` is the 1-based input line it starts on.
struct ParseProblem {
  size_t record = 0;
  size_t line = 0;
  std::string message;  // what is wrong and what a valid record has
};

struct ParseStats {
  size_t records = 0;   // records seen, good or bad
  size_t events = 0;    // events delivered
  size_t problems = 0;  // all problems, even those past the `problems` cap
};

using EventCallback = std::function<void(const AccessEvent&)>;

// Reads a whole input (a file, an HTTP body, a syslog message) and calls
// `on_event` for each access event, in input order. Never fails and never
// throws: each bad record is skipped and described in `problems` (at most
// `max_problems` kept; the count goes on in the stats).
//   fhir:  one AuditEvent, a Bundle of them (entry[].resource), or NDJSON
//   atna:  one or more <AuditMessage> documents (DICOM PS3.15 A.5 or RFC 3881
//          names), concatenated or one per line, an optional XML declaration
//          and byte-order mark before each
//   jsonl: one object per line with the fields in docs/ehr-analytics.md
ParseStats parse_events(std::string_view text, Format format, const PatientKey& key, const EventCallback& on_event,
                        std::vector<ParseProblem>* problems = nullptr, size_t max_problems = 100);

// The same event written in each format (for the simulator, tests and
// exports). `patient_id` is the clear id to write; it is never read back in
// clear: parsing hashes it.
std::string to_fhir_json(const AccessEvent& e, std::string_view patient_id);  // one line, no newline
std::string to_atna_xml(const AccessEvent& e, std::string_view patient_id);   // one line, no newline
std::string to_jsonl(const AccessEvent& e, std::string_view patient_id);      // one line, no newline

// ------------------------------------------------------------------ detections

// The kinds of alert, in the order docs/ehr-analytics.md describes them.
inline constexpr std::string_view kDetectionKinds[] = {"volume_spike",      "off_hours",    "new_device",
                                                       "new_location",      "impossible_travel", "vip_snooping",
                                                       "lateral_movement"};

// ------------------------------------------------------------------ simulator

// A synthetic hospital: staff on shifts in units, each with their devices
// and habits, opening charts of the patients on their unit; plus labelled
// anomalies of every detection kind injected after a warm-up.
struct SimulationOptions {
  uint64_t seed = 1;
  int users = 200;
  int days = 14;
  int64_t start = 1767571200;  // 2026-01-05T00:00:00Z, a Monday (local midnight in the settings' time zone is close enough)
  int anomalies_per_kind = 6;
  int warmup_days = 7;  // no anomaly before this many days have passed
};

struct SimulatedEvent {
  AccessEvent event;       // event.patient empty: the clear id is in patient_id
  std::string patient_id;  // synthetic medical record number, empty: no patient
};

struct InjectedAnomaly {
  std::string kind;  // one of kDetectionKinds
  std::string user;
  int64_t start = 0, end = 0;  // the events of the anomaly lie in [start, end]
  bool after_phish = false;    // the user was targeted by a confirmed smishing campaign just before
  std::string description;
};

struct SimulatedStaff {
  std::string user, role, department;
};

struct Simulation {
  std::vector<SimulatedEvent> events;  // in time order
  std::vector<InjectedAnomaly> anomalies;
  std::vector<SimulatedStaff> staff;
  std::vector<std::pair<std::string, int64_t>> phished;  // user, when the smishing campaign reached them
  std::string settings_yaml;  // the analytics settings for this hospital: sites, VIP patients, mobile apps
};

Simulation simulate(const SimulationOptions& options);
// The simulated staff as a directory CSV (user,role,groups,department), as
// access.directory reads it.
std::string staff_directory_csv(const Simulation& simulation);


// ------------------------------------------------------------------ settings

// A network whose location is known: a campus, a VPN pool (placed where it
// lands), or any other range you can place. Everything else is placed by
// the GeoIP database, if one is configured.
struct Site {
  std::string name;
  std::vector<std::string> cidrs;
  double latitude = 0, longitude = 0;
};

struct VipPatient {
  std::string patient;  // PatientKey::hash of the configured id
  std::string label;    // how alerts name the patient ("VIP 1"), never the id
  std::vector<std::string> allowed_departments;
};

// The `ehr:` section of policies/ehr.yaml (docs/ehr-analytics.md, "Settings").
struct Settings {
  std::string timezone = "UTC";
  std::vector<int> shifts = {7, 19};  // local hours at which shifts start
  std::vector<std::string> mobile_applications = {"haiku", "rover", "canto"};
  std::vector<Site> sites;
  std::vector<VipPatient> vip_patients;
  int cold_min_active_hours = 8;
  int cold_min_days = 7;
  struct Volume { int min_patients = 25; double mad_factor = 6; double busy_factor = 2; double weight = 30; } volume_spike;
  struct OffHours { double max_profile_share = 0.01; int min_patients = 5; double weight = 15; } off_hours;
  struct Weight { double weight = 10; } new_device, new_location;
  struct Travel { double max_kmh = 900; double weight = 40; } impossible_travel;
  struct Vip { double weight = 50; } vip_snooping;
  struct Lateral { int window_minutes = 15; int min_targets = 5; double weight = 40; } lateral_movement;
  struct Compromise { int window_hours = 72; double weight_factor = 2; } compromise;
  double risk_half_life_hours = 24;
  double risk_signal_at = 30;

  // VIP ids are hashed with `key` as they are read. Errors name file, line and column.
  static Result<std::shared_ptr<const Settings>> parse(std::string_view yaml, const std::string& where, const PatientKey& key);
  static Result<std::shared_ptr<const Settings>> load(const std::string& path, const PatientKey& key);
};

// ------------------------------------------------------------------ alerts

struct Alert {
  std::string id;    // ehr_...
  std::string user;
  std::string kind;  // one of kDetectionKinds
  std::string severity;  // low | medium | high | critical
  double weight = 0;     // what it adds to the user's risk
  int64_t at = 0;        // the time of the access that raised it
  std::string explanation;  // plain language, names no patient
  std::map<std::string, std::string> details;  // role, department, application, device, source_ip, likely_compromised, ...
};
std::string to_json(const Alert& a);  // times RFC 3339
Result<Alert> alert_from_json(std::string_view json);

// How well alerts found a simulation's anomalies, per detection kind. An
// anomaly is found when an alert of its kind names its user within its
// window (an hour of slack either side); an alert is true when it falls in
// the window of any anomaly of its user (a login from Lagos is rightly also a
// new location), else it is a false positive.
struct KindScore {
  std::string kind;
  size_t anomalies = 0, found = 0, alerts = 0, true_alerts = 0;
  double recall() const { return anomalies ? double(found) / anomalies : 1; }
  double precision() const { return alerts ? double(true_alerts) / alerts : 1; }
};
std::vector<KindScore> score_alerts(const Simulation& simulation, const std::vector<Alert>& alerts);
// Whether the alert names the anomaly's user within its window (with the slack).
bool within_anomaly(const Alert& alert, const InjectedAnomaly& anomaly);

// ------------------------------------------------------------------ analytics

// What the analytics asks beyond the events. Unset functions mean "no".
struct Sources {
  // Why the user's credentials may be compromised at `at` (targeted by a
  // confirmed smishing campaign, or a threat-intel hit on their device),
  // e.g. "targeted by smishing campaign cmp_12 5 h earlier"; nullopt: no reason known.
  std::function<std::optional<std::string>(const std::string& user, const std::string& device, int64_t at)> compromised;
  // The user the device inventory (MDM) assigns the device to; nullopt: not
  // in the inventory. A device enrolled to the user is never "new".
  std::function<std::optional<std::string>(const std::string& device)> device_user;
};

// Per-user and per-peer-group baselines and the detections, in memory.
// Each user costs at most kUserStateBytes; at most `max_users` users are
// kept (the least recently active forgotten first). Thread-safe.
class Analytics {
 public:
  static constexpr size_t kUserStateBytes = 1536;
  Analytics(std::shared_ptr<const Settings> settings, std::shared_ptr<const access::Directory> directory,
            std::shared_ptr<const access::GeoIp> geoip, Sources sources, size_t max_users = 100000);
  ~Analytics();
  // Learns from one event and appends any alert it raises to `alerts`.
  void observe(const AccessEvent& event, std::vector<Alert>& alerts);
  size_t users() const;

  // Baselines survive restarts through the store (table ehr_baselines):
  // load() at start, save() now and then and at exit (only what changed).
  Status load(store::Store& store);
  Status save(store::Store& store);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------ stored alerts and risk

struct AlertFilter {
  std::string user{}, kind{}, since{};  // since: RFC 3339
  int limit = 100;
  std::string cursor{};
};
struct AlertPage {
  std::vector<Alert> alerts;  // newest first
  std::string next_cursor;
};

class AlertBook {
 public:
  explicit AlertBook(store::Store& store);
  Status add(const Alert& a);
  Status remove(const std::string& id);  // when its audit record could not be written
  Result<std::optional<Alert>> get(const std::string& id);
  Result<AlertPage> list(const AlertFilter& filter);
  // The user's risk at `at`: each alert's weight, halved every half-life since it was raised.
  Result<double> risk(const std::string& user, int64_t at, double half_life_hours);

 private:
  store::Store& store_;
};

// ------------------------------------------------------------------ ingestion

struct IngestOutcome {
  ParseStats stats;
  std::vector<ParseProblem> problems;  // the first 100
  std::vector<Alert> alerts;
};

// Parses `text`, scores every event, and keeps each alert: stored, then
// recorded in the audit log as an ehr.alert event (and so sent to the SIEM
// sinks). An alert whose audit record fails is taken back and the error
// returned; the baselines have still learned from the events. `source`
// says where the records came from ("cli:FILE", "api:USER", "syslog:PEER").
Result<IngestOutcome> ingest(std::string_view text, Format format, const PatientKey& key, Analytics& analytics,
                             AlertBook& book, audit::Recorder& recorder, const std::string& source);

// The ehr_anomaly access signal: whether the user's risk (AlertBook::risk)
// has reached the settings' signal_at. Cached a minute per user, so access
// decisions stay fast; a store error counts as "no" (the signal is advisory).
class RiskSignal {
 public:
  RiskSignal(store::Store& store, double half_life_hours, double signal_at);
  ~RiskSignal();
  bool elevated(const std::string& user, int64_t at);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wardline::ehr
