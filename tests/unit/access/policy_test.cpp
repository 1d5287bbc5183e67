// The access policy: least privilege, every condition type, deny overrides,
// step-ups, report-only rules, sessions by risk, the adaptive-MFA examples,
// and the decision point's resolution of facts.
#include <gtest/gtest.h>

#include <cstdlib>

#include "access/access.h"

namespace wardline::access {
namespace {

constexpr int64_t kMonday10am = 1767636000;  // 2026-01-05T18:00:00Z = 10:00 in Los Angeles, a Monday

const char* kPolicy = R"(
settings: {timezone: America/Los_Angeles}
zones:
  hospital: [10.0.0.0/8, "2001:db8:10::/48"]
  vpn: [100.64.0.0/10]
risk: {intel_hit: high, unknown_device: medium, failed_logins: medium, concurrent_devices: high}
shared_accounts: {window: 10m, generic_names: ["nurse?", "front*desk", "*-station-*"]}
sessions:
  low: {max_age: 12h, reauth_after: 8h}
  medium: {max_age: 4h, reauth_after: 1h}
  high: {max_age: 1h, reauth_after: 15m}
roles:
  nurse: [ehr.clinical, messaging]
  billing: [billing]
  radiologist: [imaging, ehr.clinical]
rules:
  - name: quarantined or noncompliant devices never reach ePHI
    when: {device_state: [quarantined, noncompliant]}
    then: deny
  - name: known device on hospital network needs a PIN
    when: {zone: hospital, device_state: [compliant, grace]}
    then: {step_up: single_factor}
  - name: away from the hospital, a hardware key
    when: {not_zone: hospital}
    then: {step_up: phishing_resistant}
  - name: high risk is denied
    when: {risk: high}
    then: deny
  - name: exports need a fresh phishing-resistant login
    when: {action: export, auth_age_over: 15m}
    then: {step_up: phishing_resistant}
  - name: imaging is closed on weekend day shifts
    when: {category: imaging, hours: "07:00-19:00", days: [sat, sun]}
    then: deny
  - name: BYOD never writes
    when: {ownership: byod, action: write}
    then: deny
  - name: contractors audited
    mode: report
    when: {group: contractors}
    then: deny
  - name: break-glass users
    when: {user: [dr.ellis], signal: [break_glass]}
    then: allow
)";

std::shared_ptr<const Policy> policy(const std::string& yaml = kPolicy) {
  auto p = Policy::parse(yaml, "access.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : nullptr;
}

Facts nurse_at_hospital() {
  Facts f;
  f.user = "kim";
  f.role = "nurse";
  f.category = "ehr.clinical";
  f.action = "read";
  f.device_state = "compliant";
  f.ownership = "corporate";
  f.zones = {"hospital"};
  f.assurance = Assurance::single_factor;
  f.auth_age = 60;
  f.hour = 10;
  f.weekday = 0;
  return f;
}

TEST(AccessPolicy, LeastPrivilegeIsDefaultDeny) {
  auto p = policy();
  Facts f = nurse_at_hospital();
  f.category = "billing";
  auto o = p->decide(f);
  EXPECT_EQ(o.decision, Decision::deny);
  EXPECT_NE(o.reasons[0].find("no need for 'billing'"), std::string::npos);
  f = nurse_at_hospital();
  f.role = "";  // not in the directory
  EXPECT_EQ(p->decide(f).decision, Decision::deny);
  f.role = "janitor";  // a role the policy does not know
  EXPECT_EQ(p->decide(f).decision, Decision::deny);
  f = nurse_at_hospital();
  f.role = "billing";
  f.category = "imaging";  // a billing coordinator has no need for radiology images
  EXPECT_EQ(p->decide(f).decision, Decision::deny);
}

TEST(AccessPolicy, AdaptiveMfaPinOnHospitalWifiHardwareKeyFromAbroad) {
  auto p = policy();
  Facts f = nurse_at_hospital();
  auto o = p->decide(f);
  EXPECT_EQ(o.decision, Decision::allow) << o.reasons.back();
  EXPECT_EQ(o.required, Assurance::single_factor);
  // The same login from outside the hospital, with a password and an SMS code.
  f.zones = {};
  f.assurance = Assurance::multi_factor;
  o = p->decide(f);
  EXPECT_EQ(o.decision, Decision::step_up);
  EXPECT_EQ(o.required, Assurance::phishing_resistant);
  f.assurance = Assurance::phishing_resistant;
  EXPECT_EQ(p->decide(f).decision, Decision::allow);
  // No authentication at all on the hospital network: step up to a PIN.
  f = nurse_at_hospital();
  f.assurance = Assurance::none;
  o = p->decide(f);
  EXPECT_EQ(o.decision, Decision::step_up);
  EXPECT_EQ(o.required, Assurance::single_factor);
}

TEST(AccessPolicy, EveryConditionType) {
  auto p = policy();
  Facts f = nurse_at_hospital();
  f.device_state = "quarantined";
  EXPECT_EQ(p->decide(f).decision, Decision::deny);  // device_state
  f = nurse_at_hospital();
  f.signals = {"intel_hit"};
  auto o = p->decide(f);
  EXPECT_EQ(o.decision, Decision::deny);  // risk
  EXPECT_EQ(o.risk, Risk::high);
  f = nurse_at_hospital();
  f.action = "export";
  f.auth_age = 3600;
  EXPECT_EQ(p->decide(f).decision, Decision::step_up);  // action + auth_age_over
  f.auth_age = 300;
  EXPECT_EQ(p->decide(f).decision, Decision::allow);
  f = nurse_at_hospital();
  f.role = "radiologist";
  f.category = "imaging";
  EXPECT_EQ(p->decide(f).decision, Decision::allow);
  f.weekday = 5;  // Saturday, within hours
  EXPECT_EQ(p->decide(f).decision, Decision::deny);  // category + hours + days
  f.hour = 20;
  EXPECT_EQ(p->decide(f).decision, Decision::allow);
  f = nurse_at_hospital();
  f.ownership = "byod";
  f.action = "write";
  EXPECT_EQ(p->decide(f).decision, Decision::deny);  // ownership
  f = nurse_at_hospital();
  f.groups = {"contractors"};
  o = p->decide(f);
  EXPECT_EQ(o.decision, Decision::allow);  // report-only: logged, not enforced
  EXPECT_EQ(o.report_only, std::vector<std::string>{"contractors audited"});
  f = nurse_at_hospital();
  f.user = "dr.ellis";
  f.signals = {"break_glass"};
  o = p->decide(f);
  EXPECT_NE(std::find(o.matched.begin(), o.matched.end(), "break-glass users"), o.matched.end());  // user + signal
  f.user = "kim";
  o = p->decide(f);
  EXPECT_EQ(std::find(o.matched.begin(), o.matched.end(), "break-glass users"), o.matched.end());
}

TEST(AccessPolicy, DenyOverridesAndSessionsFollowRisk) {
  auto p = policy();
  Facts f = nurse_at_hospital();
  f.device_state = "noncompliant";
  f.zones = {};  // also a step-up rule
  auto o = p->decide(f);
  EXPECT_EQ(o.decision, Decision::deny);
  f = nurse_at_hospital();
  o = p->decide(f);
  EXPECT_EQ(o.session_max_age, 12 * 3600);
  EXPECT_EQ(o.reauth_after, 8 * 3600);
  f.signals = {"failed_logins"};
  o = p->decide(f);
  EXPECT_EQ(o.risk, Risk::medium);
  EXPECT_EQ(o.session_max_age, 4 * 3600);
  EXPECT_EQ(o.reauth_after, 3600);
}

TEST(AccessPolicy, ZonesFromAddressesAndHints) {
  auto p = policy();
  EXPECT_EQ(p->zones_of("10.20.30.40", {}), std::vector<std::string>{"hospital"});
  EXPECT_EQ(p->zones_of("2001:db8:10::5", {}), std::vector<std::string>{"hospital"});
  EXPECT_EQ(p->zones_of("100.64.1.1", {}), std::vector<std::string>{"vpn"});
  EXPECT_TRUE(p->zones_of("203.0.113.7", {}).empty());
  EXPECT_EQ(p->zones_of("", {"vpn"}), std::vector<std::string>{"vpn"});
  EXPECT_TRUE(p->zones_of("not an address", {"unknown-zone"}).empty());
}

TEST(AccessPolicy, ErrorsNameFileLineAndFix) {
  auto missing_roles = Policy::parse("rules: []\n", "a.yaml");
  ASSERT_FALSE(missing_roles);
  EXPECT_NE(missing_roles.error().message.find("roles:"), std::string::npos);
  auto bad_zone = Policy::parse("roles: {nurse: [ehr]}\nrules:\n  - when: {zone: moon}\n    then: deny\n", "a.yaml");
  ASSERT_FALSE(bad_zone);
  EXPECT_NE(bad_zone.error().message.find("a.yaml:3"), std::string::npos);
  EXPECT_NE(bad_zone.error().message.find("zone 'moon' is not defined"), std::string::npos);
  auto bad_then = Policy::parse("roles: {nurse: [ehr]}\nrules:\n  - then: {step_up: sms}\n", "a.yaml");
  ASSERT_FALSE(bad_then);
  EXPECT_NE(bad_then.error().message.find("assurance level"), std::string::npos);
  EXPECT_FALSE(Policy::parse("roles: {nurse: [ehr]}\nrules:\n  - when: {hours: 25:00-26:00}\n    then: deny\n", "a.yaml"));
  EXPECT_FALSE(Policy::parse("roles: {nurse: [ehr]}\nrules:\n  - when: {days: [funday]}\n    then: deny\n", "a.yaml"));
  EXPECT_FALSE(Policy::parse("roles: {nurse: [ehr]}\nzones: {h: [10.0.0.0/33]}\n", "a.yaml"));
  EXPECT_FALSE(Policy::parse("roles: [\n", "a.yaml"));
  EXPECT_FALSE(Policy::parse("settings: {timezone: Mars/Olympus}\nroles: {nurse: [ehr]}\n", "a.yaml"));
}

TEST(AccessPolicy, ShippedPolicyLoads) {
  const char* src = std::getenv("WARDLINE_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  auto p = Policy::load(std::string(src) + "/policies/access.yaml");
  ASSERT_TRUE(p) << p.error().message;
}

TEST(DecisionPoint, ResolvesDirectoryDevicePostureIntelAndClaims) {
  auto dir = Directory::parse_csv("user,role,groups,department\nkim,nurse,icu;float-pool,ICU\nlee,billing,,Finance\n", "staff.csv");
  ASSERT_TRUE(dir) << dir.error().message;
  Sources sources;
  sources.device = [](const std::string& id) -> std::optional<std::array<std::string, 3>> {
    if (id == "dev-ok") return std::array<std::string, 3>{"compliant", "corporate", "kim"};
    if (id == "dev-q") return std::array<std::string, 3>{"quarantined", "byod", "kim"};
    if (id == "dev-other") return std::array<std::string, 3>{"compliant", "corporate", "lee"};
    return std::nullopt;
  };
  sources.intel_hit = [](const std::string& ip) { return ip == "203.0.113.66"; };
  sources.first_use = [](const std::string&, const std::string& device, int64_t) { return device == "dev-other"; };
  DecisionPoint pdp(policy(), std::make_shared<const Directory>(std::move(*dir)), sources);

  auto request = parse_request(R"({"user":"kim","device_id":"dev-ok","resource":"epic-haiku","category":"ehr.clinical",
    "action":"read","source_ip":"10.1.2.3","amr":["pwd","hwk"],"auth_time":1767635900,"time":1767636000})");
  ASSERT_TRUE(request) << request.error().message;
  Facts facts;
  auto o = pdp.decide(*request, kMonday10am, &facts);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->decision, Decision::allow);
  EXPECT_FALSE(o->id.empty());
  EXPECT_EQ(facts.role, "nurse");
  EXPECT_EQ(facts.groups, (std::vector<std::string>{"icu", "float-pool"}));
  EXPECT_EQ(facts.zones, std::vector<std::string>{"hospital"});
  EXPECT_EQ(facts.assurance, Assurance::phishing_resistant);
  EXPECT_EQ(facts.auth_age, 100);
  EXPECT_EQ(facts.hour, 10);
  EXPECT_EQ(facts.weekday, 0);

  request->device_id = "dev-q";
  EXPECT_EQ(pdp.decide(*request, kMonday10am)->decision, Decision::deny);
  request->device_id = "dev-other";
  ASSERT_TRUE(pdp.decide(*request, kMonday10am, &facts));
  EXPECT_NE(std::find(facts.signals.begin(), facts.signals.end(), "shared_device"), facts.signals.end());
  EXPECT_NE(std::find(facts.signals.begin(), facts.signals.end(), "new_device"), facts.signals.end());
  request->device_id = "dev-ok";
  request->source_ip = "203.0.113.66";
  o = pdp.decide(*request, kMonday10am, &facts);
  EXPECT_EQ(o->decision, Decision::deny);  // intel_hit is high risk
  EXPECT_EQ(o->risk, Risk::high);
  // A token that does not verify is a deny with the reason, never an allow.
  request->token = "eyJhbGciOiJub25lIn0.e30.";
  o = pdp.decide(*request, kMonday10am);
  EXPECT_EQ(o->decision, Decision::deny);
  EXPECT_NE(o->reasons[0].find("token was refused"), std::string::npos);
}

TEST(SharedAccounts, ConcurrentDevicesAndGenericNames) {
  auto p = policy();
  EXPECT_TRUE(p->generic_account("nurse1@lakesidemed.org"));
  EXPECT_TRUE(p->generic_account("FRONTDESK"));
  EXPECT_TRUE(p->generic_account("front-main-desk"));
  EXPECT_TRUE(p->generic_account("er-station-2"));
  EXPECT_FALSE(p->generic_account("nurse.kim@lakesidemed.org"));
  EXPECT_FALSE(p->generic_account("kim"));

  auto dir = Directory::parse_csv("user,role\nkim,nurse\nnurse1,nurse\n", "staff.csv");
  ASSERT_TRUE(dir);
  DecisionPoint pdp(p, std::make_shared<const Directory>(std::move(*dir)), {});
  auto req = parse_request(R"({"user":"kim","device_id":"phone-1","category":"ehr.clinical","action":"read",
    "source_ip":"10.1.1.1","amr":["hwk"]})");
  ASSERT_TRUE(req);
  auto o = pdp.decide(*req, kMonday10am);
  EXPECT_TRUE(o->shared_account.empty());
  req->device_id = "ipad-7";  // five minutes later, another device
  o = pdp.decide(*req, kMonday10am + 300);
  EXPECT_EQ(o->shared_account, "active on 2 devices within 10 minutes");
  EXPECT_EQ(o->risk, Risk::high);
  EXPECT_EQ(o->decision, Decision::deny);  // high risk is denied
  // Past the window the earlier device no longer counts.
  o = pdp.decide(*req, kMonday10am + 300 + 601);
  EXPECT_TRUE(o->shared_account.empty());
  req->user = "nurse1";
  o = pdp.decide(*req, kMonday10am + 2000);
  EXPECT_EQ(o->shared_account, "a generic account name");
  auto alerts = pdp.activity().alerts(10);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].user, "nurse1");  // newest first
  EXPECT_EQ(alerts[1].devices, (std::vector<std::string>{"phone-1", "ipad-7"}));
}

TEST(DecisionPoint, PolicyReloadIsAtomic) {
  auto dir = std::make_shared<const Directory>(*Directory::parse_csv("user,role\nkim,nurse\n", "staff.csv"));
  DecisionPoint pdp(policy(), dir, {});
  auto req = parse_request(R"({"user":"kim","category":"ehr.clinical","action":"read","source_ip":"10.1.1.1","amr":["hwk"]})");
  ASSERT_TRUE(req);
  EXPECT_EQ(pdp.decide(*req, kMonday10am)->decision, Decision::allow);
  pdp.use(policy("roles: {nurse: [ehr.clinical]}\nrules:\n  - {name: closed, then: deny}\n"), dir);
  auto o = pdp.decide(*req, kMonday10am);
  EXPECT_EQ(o->decision, Decision::deny);
  EXPECT_EQ(o->matched, std::vector<std::string>{"closed"});
}

TEST(DecisionPoint, RequestsAreValidated) {
  EXPECT_EQ(parse_request("[]").error().code, "invalid_request");
  EXPECT_EQ(parse_request(R"({"category":"x","action":"read"})").error().field, "user");
  EXPECT_EQ(parse_request(R"({"user":"kim","category":"x","action":"read","amr":"pwd"})").error().field, "amr");
  EXPECT_EQ(parse_request(R"({"user":"kim","category":"x","action":"read","time":"today"})").error().field, "time");
  EXPECT_TRUE(parse_request(R"({"user":"kim","category":"x","action":"read"})"));
}

TEST(Directory, CsvAndJson) {
  EXPECT_FALSE(Directory::parse_csv("name,role\nkim,nurse\n", "s.csv"));
  EXPECT_FALSE(Directory::parse_csv("user,role\nkim,nurse\nkim,billing\n", "s.csv"));
  auto j = Directory::parse_json(R"([{"user":"kim","role":"nurse","groups":["icu"]}])", "s.json");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->find("kim")->groups, std::vector<std::string>{"icu"});
  EXPECT_EQ(j->find("lee"), nullptr);
  EXPECT_FALSE(Directory::parse_json(R"([{"user":"kim"}])", "s.json"));
}

}  // namespace
}  // namespace wardline::access
