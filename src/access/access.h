// Conditional access: the hospital's identity provider or EHR gateway asks
// whether a user may do something to a resource from a device, and Wardline
// answers allow, step-up (to an authentication level) or deny, with reasons.
//
// Identity first (OIDC tokens verified against each issuer's JWKS, AMR/ACR
// mapped to an assurance level), least privilege (roles reach resource
// categories; default deny), device posture, network zone, country and
// risk (impossible travel and failed sign-ins among its signals), all
// judged by policies/access.yaml (docs/access-policy.md).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wardline::store { class Store; }

namespace wardline::access {

// ------------------------------------------------------------------ assurance

// How strongly the user proved who they are. `sms` and `tel` never count as
// phishing-resistant; `hwk` and FIDO/WebAuthn do (RFC 8176).
enum class Assurance { none, single_factor, multi_factor, phishing_resistant };
std::string_view name_of(Assurance a);
std::optional<Assurance> parse_assurance(std::string_view text);

// ACR value -> the assurance it stands for (from the policy's issuers).
using AcrLevels = std::vector<std::pair<std::string, Assurance>>;
Assurance assurance_of(const std::vector<std::string>& amr, std::string_view acr, const AcrLevels& acr_levels);

// ------------------------------------------------------------------ tokens

// An issuer's signing keys (a JWKS document): RSA, EC P-256 and Ed25519.
class KeySet {
 public:
  // Keys of other types or curves are skipped and counted.
  static Result<KeySet> parse(std::string_view jwks_json);
  KeySet();
  ~KeySet();
  KeySet(KeySet&&) noexcept;
  KeySet& operator=(KeySet&&) noexcept;
  size_t size() const;
  size_t skipped() const;
  bool has_kid(std::string_view kid) const;

  struct Impl;

 private:
  friend Result<std::string> verify_jws(std::string_view compact, const KeySet& keys);
  std::unique_ptr<Impl> impl_;
};

// A compact JWS checked against `keys`: the header's `alg` (RS256, ES256,
// EdDSA; never none or HMAC) must fit the key's type; a `kid` picks the
// key, else every key of that type is tried. Returns the payload.
Result<std::string> verify_jws(std::string_view compact, const KeySet& keys);

struct Claims {
  std::string iss, sub, acr, preferred_username;
  std::vector<std::string> aud, amr;
  int64_t exp = 0, nbf = 0, iat = 0, auth_time = 0;
};

struct TokenRules {
  std::string issuer;                  // the exact `iss`
  std::vector<std::string> audiences;  // `aud` must name one of them
  int64_t skew = 60;                   // seconds of clock difference tolerated
};

// Signature, then iss, aud, exp, nbf and iat (with skew). Error codes:
// invalid_token (malformed, bad signature, unknown key), token_expired,
// token_not_yet_valid, wrong_issuer, wrong_audience.
Result<Claims> verify_token(std::string_view jwt, const KeySet& keys, const TokenRules& rules, int64_t now);

// An issuer's keys from a file or an https:// URL, cached; a token signed by
// a key id not in the cache fetches the set again (at most once a minute),
// so key rotation needs no restart.
class IssuerKeys {
 public:
  IssuerKeys(std::string jwks_source, std::string ca_file = "");
  ~IssuerKeys();
  Result<Claims> verify(std::string_view jwt, const TokenRules& rules, int64_t now);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------ geolocation

// Where an address is, as a GeoIP database knows it.
struct GeoLocation {
  std::string country;   // ISO 3166-1 alpha-2, e.g. "DE"; empty: unknown
  bool located = false;  // latitude and longitude known (City databases have them, Country ones do not)
  double latitude = 0, longitude = 0;
  int accuracy_km = 0;  // the address is likely within this radius of the point
};

// A MaxMind DB (GeoIP2 or GeoLite2, City or Country), mapped read-only.
// Lookups take no lock and may run on any number of threads at once.
class GeoIp {
 public:
  // Errors name the file and say what it must be.
  static Result<std::shared_ptr<const GeoIp>> open(const std::string& path);
  ~GeoIp();
  // nullopt: not a single address (v4, v6 or v4-mapped v6), or not in the database.
  std::optional<GeoLocation> lookup(std::string_view address) const;
  const std::string& path() const;

  struct Impl;

 private:
  explicit GeoIp(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Great-circle distance in km (haversine on the mean Earth radius).
double distance_km(double lat1, double lon1, double lat2, double lon2);

// ------------------------------------------------------------------ requests

enum class Decision { allow, step_up, deny };
std::string_view name_of(Decision d);

enum class Risk { low, medium, high };
std::string_view name_of(Risk r);

// What the identity provider or gateway asks.
struct Request {
  std::string user;
  std::string device_id;
  std::string resource;  // e.g. "epic-haiku"
  std::string category;  // the data category, e.g. "ehr.clinical", "imaging", "billing"
  std::string action;    // read, write, export, ...
  std::string source_ip;
  std::vector<std::string> networks;  // hints from the gateway, e.g. "hospital-wifi"
  std::vector<std::string> signals;   // risk signals the caller already knows, e.g. "failed_logins"
  std::string token;                  // id_token or access_token (verified), or:
  std::optional<std::vector<std::string>> amr;  // claims from a gateway that verified the token itself
  std::string acr;
  int64_t auth_time = 0;
  int64_t time = 0;  // 0: now
};
// The JSON body of POST /api/v1/access/decide; errors name the field.
Result<Request> parse_request(std::string_view json);

// Everything a decision is made from, resolved.
struct Facts {
  std::string user, role, category, action, resource;
  std::vector<std::string> groups;
  std::string device_state;  // compliant, grace, noncompliant, quarantined, unknown (not in the inventory)
  std::string ownership;     // corporate, byod, unknown
  std::vector<std::string> zones;  // the policy's network zones the source address (or a hint) is in
  std::string country;             // of the source address (ISO code, from geoip:); empty: unknown
  Assurance assurance = Assurance::none;
  int64_t auth_age = -1;  // seconds since authentication; -1: unknown
  std::vector<std::string> signals;
  int hour = 0, weekday = 0;  // local time; weekday 0 = Monday
};

struct Outcome {
  std::string id;  // decision id
  Decision decision = Decision::deny;
  Assurance required = Assurance::none;   // for a step-up
  Assurance presented = Assurance::none;
  Risk risk = Risk::low;
  int64_t session_max_age = 0, reauth_after = 0;
  std::vector<std::string> matched;      // rules that decided
  std::vector<std::string> reasons;      // human-readable
  std::vector<std::string> report_only;  // report-only rules that would have applied
  std::string shared_account;            // why the account looks shared, if it does
};

// The answer as JSON: decision_id, decision, required (for a step-up),
// presented, risk, session_max_age, reauth_after, matched_rules, reasons,
// report_only.
std::string to_json(const Outcome& o);
// Facts as JSON, for `wardline access explain`, and back.
std::string to_json(const Facts& f);
Result<Facts> facts_from_json(std::string_view json);

// ------------------------------------------------------------------ policy

class Policy {
 public:
  static Result<std::shared_ptr<const Policy>> parse(std::string_view yaml, const std::string& where);
  static Result<std::shared_ptr<const Policy>> load(const std::string& path);
  ~Policy();

  // The decision for resolved facts; `trace` (optional) gets one line per
  // rule considered, for `wardline access explain`.
  Outcome decide(const Facts& facts, std::vector<std::string>* trace = nullptr) const;

  // The enforced rules as Cedar policies (docs/access-policy.md, "Cedar").
  std::string to_cedar() const;
  // The Cedar request context for `facts` (risk from the policy's signals).
  std::string cedar_context(const Facts& facts) const;

  // Resolution helpers.
  std::vector<std::string> zones_of(std::string_view address, const std::vector<std::string>& hints) const;
  Risk risk_of(const std::vector<std::string>& signals) const;
  const AcrLevels& acr_levels() const;
  const std::string& timezone() const;
  // shared_accounts: in the policy.
  int64_t shared_window() const;
  bool generic_account(std::string_view user) const;
  // geoip, impossible_travel and failed_logins: in the policy.
  const GeoIp* geoip() const;  // null: not configured (country unknown, no travel checks)
  double travel_max_kmh() const;
  int failed_logins_count() const;
  int64_t failed_logins_window() const;

  struct IssuerConfig {
    std::string name, jwks, ca_file;
    TokenRules rules;
  };
  const std::vector<IssuerConfig>& issuers() const;

  struct Impl;

 private:
  explicit Policy(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------ directory

struct Person {
  std::string user, role, department;
  std::vector<std::string> groups;
};
// Staff with their role and groups: CSV (user,role,groups,department;
// groups ';'-separated) or JSON ([{user, role, groups, department}]).
class Directory {
 public:
  static Result<Directory> parse_csv(std::string_view text, const std::string& where);
  static Result<Directory> parse_json(std::string_view text, const std::string& where);
  static Result<Directory> load(const std::string& path);  // by extension
  const Person* find(std::string_view user) const;
  size_t size() const { return people_.size(); }

 private:
  std::vector<Person> people_;  // sorted by user
};

// ------------------------------------------------------------------ shared accounts

// A shared account: one user active on two or more devices at once, or a
// generic name (nurse1, frontdesk) that no one person owns.
struct SharedAccountAlert {
  std::string user, reason;
  std::vector<std::string> devices;
  int64_t at = 0;
};

// Who used which device recently, in memory: the devices each user was
// seen on within `window` seconds, and the latest alerts.
class ActivityTracker {
 public:
  // Records that `user` acted from `device` at `at`; returns the other
  // devices the user was active on within the window.
  std::vector<std::string> observe(const std::string& user, const std::string& device, int64_t at, int64_t window);
  void remember(SharedAccountAlert alert);
  // Newest first, at most `limit`.
  std::vector<SharedAccountAlert> alerts(size_t limit) const;

 private:
  struct Seen {
    std::string device;
    int64_t at;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<Seen>> recent_;
  std::deque<SharedAccountAlert> alerts_;
};

// ------------------------------------------------------------------ impossible travel

// Each user's last plausible located sign-in, in memory: at most about
// `max_users` users, the least recently seen forgotten first.
class TravelTracker {
 public:
  explicit TravelTracker(size_t max_users = 200000);
  ~TravelTracker();
  // Why `user` cannot have come from their last located sign-in to `where`
  // by `at` at `max_kmh` or less (the distance between the two accuracy
  // circles counts), e.g. "signed in from DE 2 h after US: 7,400 km at
  // 3,700 km/h"; nullopt when they can or there is nothing to compare with.
  // Only a plausible sign-in becomes the one the next is compared with.
  std::optional<std::string> observe(const std::string& user, const GeoLocation& where, int64_t at, double max_kmh);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------ failed sign-ins

// The highest failed_logins.count a policy may set: the newest this many
// failures of each user are kept.
inline constexpr size_t kMaxFailedLogins = 64;

// Failed sign-ins per user in memory: at most about `max_users` users, the
// least recently failing forgotten first.
class FailedLogins {
 public:
  explicit FailedLogins(size_t max_users = 200000);
  ~FailedLogins();
  // Records a failure at `at`; returns the user's failures in the `window`
  // seconds up to `at`, this one included.
  int record(const std::string& user, int64_t at, int64_t window);
  // The user's failures in the `window` seconds up to `at` (later ones count too).
  int count(const std::string& user, int64_t at, int64_t window) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------ decision point

// Where facts come from besides the request: the device inventory and
// threat intelligence. Unset functions mean "unknown".
struct Sources {
  // Device id -> (state, ownership, assigned user); nullopt: not in the inventory.
  std::function<std::optional<std::array<std::string, 3>>(const std::string& device_id)> device;
  // Whether the address is on a threat-intel feed.
  std::function<bool(const std::string& address)> intel_hit;
  // Whether this is the first time the user acts from this device.
  std::function<bool(const std::string& user, const std::string& device_id, int64_t at)> first_use;
  // Whether the user was recently targeted by a credential-harvesting
  // smishing message (reported it, or was named in a campaign's hit).
  std::function<bool(const std::string& user, int64_t at)> smish_targeted;
  // Whether the user's EHR access analytics risk is elevated (unusual chart
  // access, travel or lateral movement alerts, recently).
  std::function<bool(const std::string& user, int64_t at)> ehr_anomaly;
};

// Which users have used which devices, in the store (table
// access_device_users), remembered in memory once seen: the first use of a
// device by a user is a risk signal (new_device).
class DeviceHistory {
 public:
  explicit DeviceHistory(store::Store& store);
  // True the first time `user` is seen on `device_id`, which is recorded.
  // A store error counts as not first (the signal is advisory).
  bool first_use(const std::string& user, const std::string& device_id, int64_t at);

 private:
  store::Store& store_;
  std::mutex mu_;
  std::unordered_set<std::string> seen_;  // "user\ndevice"
};

class DecisionPoint {
 public:
  DecisionPoint(std::shared_ptr<const Policy> policy, std::shared_ptr<const Directory> directory, Sources sources);
  ~DecisionPoint();
  // Verifies the token (if any), resolves the facts, decides. A bad token is
  // a deny with the reason, not an error.
  Result<Outcome> decide(const Request& request, int64_t now, Facts* facts_out = nullptr,
                         std::vector<std::string>* trace = nullptr);
  // Swaps in a new policy and directory atomically (SIGHUP); decisions in
  // flight finish with the ones they started with.
  void use(std::shared_ptr<const Policy> policy, std::shared_ptr<const Directory> directory);
  std::shared_ptr<const Policy> policy() const { return rules_.load()->policy; }
  const ActivityTracker& activity() const { return activity_; }
  // A failed sign-in the identity provider reports (refused tokens are
  // recorded by decide itself); returns the user's failures within the
  // policy's failed_logins.window up to `at`.
  int record_failed_login(const std::string& user, int64_t at);

 private:
  struct Rules {
    std::shared_ptr<const Policy> policy;
    std::shared_ptr<const Directory> directory;
    std::vector<std::shared_ptr<IssuerKeys>> issuer_keys;  // by the policy's issuers
  };
  ActivityTracker activity_;
  TravelTracker travel_;
  FailedLogins failed_logins_;
  Sources sources_;
  std::atomic<std::shared_ptr<const Rules>> rules_;
};

}  // namespace wardline::access
