// The decision: least privilege first (a role reaches only its categories;
// default deny), then the rules that apply to the request's category, where
// deny overrides and step-ups ask for the highest level any of them names.
#include <algorithm>

#include "access/policy_impl.h"
#include "core/ids.h"

namespace wardline::access {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool listed(const std::vector<std::string>& list, std::string_view v) { return list.empty() || contains(list, v); }

bool any_listed(const std::vector<std::string>& want, const std::vector<std::string>& have) {
  if (want.empty()) return true;
  for (const auto& h : have)
    if (std::find(want.begin(), want.end(), h) != want.end()) return true;
  return false;
}

template <size_t N>
uint32_t bit_of(const std::string_view (&names)[N], std::string_view v) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == v) return 1u << i;
  return 1u << (N - 1);  // the last name is "unknown"
}

struct Resolved {
  const Facts& f;
  uint32_t device_state, ownership, day;
  uint64_t zones;
  int risk, minute;
};

bool matches(const Conditions& c, const Resolved& r) {
  const Facts& f = r.f;
  if (c.device_states && !(c.device_states & r.device_state)) return false;
  if (c.ownerships && !(c.ownerships & r.ownership)) return false;
  if (c.zones && !(c.zones & r.zones)) return false;
  if (c.not_zones & r.zones) return false;
  // An unknown country is in no list: `country` never matches it, `not_country` always does.
  if (!c.countries.empty() && !contains(c.countries, f.country)) return false;
  if (contains(c.not_countries, f.country)) return false;
  if (c.days && !(c.days & r.day)) return false;
  if (c.min_risk >= 0 && r.risk < c.min_risk) return false;
  if (c.assurance_below >= 0 && static_cast<int>(f.assurance) >= c.assurance_below) return false;
  if (c.auth_age_over >= 0 && f.auth_age >= 0 && f.auth_age <= c.auth_age_over) return false;
  if (c.from_minute >= 0) {
    bool inside = c.from_minute < c.to_minute ? r.minute >= c.from_minute && r.minute < c.to_minute
                                              : r.minute >= c.from_minute || r.minute < c.to_minute;
    if (!inside) return false;
  }
  return listed(c.actions, f.action) && listed(c.roles, f.role) && listed(c.users, f.user) &&
         listed(c.resources, f.resource) && any_listed(c.groups, f.groups) && any_listed(c.signals, f.signals);
}

}  // namespace

std::string_view name_of(Decision d) {
  switch (d) {
    case Decision::allow: return "allow";
    case Decision::step_up: return "step_up";
    case Decision::deny: return "deny";
  }
  return "deny";
}

std::string_view name_of(Risk r) {
  switch (r) {
    case Risk::low: return "low";
    case Risk::medium: return "medium";
    case Risk::high: return "high";
  }
  return "high";
}

Outcome Policy::decide(const Facts& f, std::vector<std::string>* trace) const {
  const Impl& p = *impl_;
  Outcome o;
  o.presented = f.assurance;
  o.risk = risk_of(f.signals);
  const Session& session = p.sessions[static_cast<size_t>(o.risk)];
  o.session_max_age = session.max_age;
  o.reauth_after = session.reauth_after;

  // Least privilege: the role must reach the category at all.
  auto role = p.roles.find(f.role);
  if (role == p.roles.end()) {
    o.decision = Decision::deny;
    o.reasons.push_back(f.role.empty() ? "user '" + f.user + "' is not in the directory: no role, no access"
                                       : "role '" + f.role + "' is not in the policy");
    o.matched.push_back("least-privilege");
    return o;
  }
  if (std::find(role->second.begin(), role->second.end(), f.category) == role->second.end()) {
    o.decision = Decision::deny;
    o.reasons.push_back("role '" + f.role + "' has no need for '" + f.category + "' data (least privilege)");
    o.matched.push_back("least-privilege");
    return o;
  }

  uint64_t zones = 0;
  for (size_t z = 0; z < p.zone_names.size(); ++z)
    if (std::find(f.zones.begin(), f.zones.end(), p.zone_names[z]) != f.zones.end()) zones |= uint64_t{1} << z;
  Resolved r{f, bit_of(kDeviceStates, f.device_state), bit_of(kOwnerships, f.ownership), 1u << (f.weekday % 7), zones,
             static_cast<int>(o.risk), f.hour * 60};

  bool denied = false;
  Assurance required = Assurance::none;
  auto consider = [&](const Rule* rule) {
    bool hit = matches(rule->when, r);
    if (trace) trace->push_back((hit ? "matched  " : "skipped  ") + rule->name + (rule->report_only ? " (report-only)" : ""));
    if (!hit) return;
    if (rule->report_only) {
      o.report_only.push_back(rule->name);
      return;
    }
    o.matched.push_back(rule->name);
    if (rule->effect == Effect::deny) {
      denied = true;
      o.reasons.push_back("denied by '" + rule->name + "'");
    } else if (rule->effect == Effect::step_up && rule->step_up_to > required) {
      required = rule->step_up_to;
      o.reasons.push_back("'" + rule->name + "' requires " + std::string(name_of(rule->step_up_to)) + " authentication");
    }
  };
  // The category's own rules and the rules for every category, in file order.
  auto own = p.by_category.find(f.category);
  static const std::vector<const Rule*> kNone;
  const auto& a = own == p.by_category.end() ? kNone : own->second;
  const auto& b = p.any_category;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) consider(j == b.size() || (i < a.size() && a[i] < b[j]) ? a[i++] : b[j++]);

  if (denied) {
    o.decision = Decision::deny;
  } else if (required > f.assurance) {
    o.decision = Decision::step_up;
    o.required = required;
    o.reasons.push_back("presented " + std::string(name_of(f.assurance)) + "; " + std::string(name_of(required)) + " needed");
  } else {
    o.decision = Decision::allow;
    o.required = required;
    o.reasons.push_back("role '" + f.role + "' may reach '" + f.category + "'");
  }
  return o;
}

}  // namespace wardline::access
