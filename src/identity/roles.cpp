#include "identity/identity.h"

namespace wardline {

const std::vector<Role>& all_roles() {
  static const std::vector<Role> roles = {Role::admin, Role::analyst, Role::auditor, Role::reporter,
                                          Role::service};
  return roles;
}

std::string to_string(Role r) {
  switch (r) {
    case Role::admin: return "admin";
    case Role::analyst: return "analyst";
    case Role::auditor: return "auditor";
    case Role::reporter: return "reporter";
    case Role::service: return "service";
  }
  return "unknown";
}

Result<Role> parse_role(const std::string& text) {
  for (Role r : all_roles())
    if (to_string(r) == text) return r;
  return make_error("invalid_role", "unknown role '" + text +
                                        "'; use one of: admin, analyst, auditor, reporter, service",
                    "role");
}

const std::vector<std::pair<Permission, std::string>>& all_permissions() {
  using P = Permission;
  static const std::vector<std::pair<Permission, std::string>> all = {
      {P::users_read, "users_read"},         {P::users_write, "users_write"},
      {P::self_read, "self_read"},           {P::audit_read, "audit_read"},
      {P::reports_write, "reports_write"},   {P::reports_read, "reports_read"},
      {P::campaigns_write, "campaigns_write"}, {P::intel_ingest, "intel_ingest"},
      {P::intel_read, "intel_read"},         {P::intel_triage, "intel_triage"},
      {P::devices_read, "devices_read"},     {P::devices_checkin, "devices_checkin"},
      {P::access_decide, "access_decide"},   {P::devices_respond, "devices_respond"},
      {P::incidents_read, "incidents_read"}, {P::incidents_write, "incidents_write"},
      {P::ehr_ingest, "ehr_ingest"},         {P::ehr_read, "ehr_read"},
  };
  return all;
}

// Least privilege: each role gets exactly what its job needs.
bool role_allows(Role role, Permission p) {
  switch (p) {
    case Permission::self_read: return true;
    case Permission::users_read:
    case Permission::audit_read: return role == Role::admin || role == Role::auditor;
    case Permission::users_write: return role == Role::admin;
    case Permission::reports_write: return role != Role::auditor;
    case Permission::reports_read:
    case Permission::campaigns_write:
    case Permission::intel_triage: return role == Role::admin || role == Role::analyst;
    case Permission::intel_ingest: return role == Role::admin || role == Role::service;  // log shippers use service tokens
    case Permission::intel_read:
    case Permission::devices_read: return role == Role::admin || role == Role::analyst || role == Role::auditor;
    case Permission::devices_checkin:  // device agents use service tokens
    case Permission::access_decide: return role == Role::admin || role == Role::service;  // so do gateways
    case Permission::devices_respond: return role == Role::admin;
    case Permission::incidents_read: return role == Role::admin || role == Role::analyst || role == Role::auditor;
    case Permission::incidents_write: return role == Role::admin || role == Role::analyst;
    case Permission::ehr_ingest: return role == Role::admin || role == Role::service;  // EHR and PACS audit feeds
    case Permission::ehr_read: return role == Role::admin || role == Role::analyst || role == Role::auditor;
  }
  return false;
}

}  // namespace wardline
