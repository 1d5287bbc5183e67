#include "audit/leaf.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <vector>

#include "audit/jcs.h"

namespace wardline::audit {

// Written member by member in JCS order (the top-level names are fixed and
// ASCII); the unit tests check the result against canonical_json().
PreparedLeaf prepare_leaf(const siem::SecurityEvent& e) {
  PreparedLeaf p;
  std::string& h = p.head;
  h.reserve(256);
  h += "{\"actor\":";
  append_canonical_string(h, e.actor);
  h += ",\"details\":{";
  std::vector<const std::pair<const std::string, std::string>*> details;
  for (const auto& kv : e.details) details.push_back(&kv);
  std::sort(details.begin(), details.end(), [](auto* a, auto* b) { return canonical_key_less(a->first, b->first); });
  for (size_t i = 0; i < details.size(); ++i) {
    if (i) h.push_back(',');
    append_canonical_string(h, details[i]->first);
    h.push_back(':');
    append_canonical_string(h, details[i]->second);
  }
  h += "},\"id\":";
  append_canonical_string(h, e.id);
  h += ",\"outcome\":";
  append_canonical_string(h, e.outcome);
  std::string& t = p.tail;
  t += "\"severity\":";
  append_canonical_string(t, e.severity);
  t += ",\"source_ip\":";
  append_canonical_string(t, e.source_ip);
  t += ",\"subject\":";
  append_canonical_string(t, e.subject);
  t += ",\"time\":";
  append_canonical_string(t, e.time);
  t += ",\"type\":";
  append_canonical_string(t, e.type);
  t += "}";
  const unsigned char leaf_prefix = 0x00;
  SHA256_Init(&p.head_state);
  SHA256_Update(&p.head_state, &leaf_prefix, 1);
  SHA256_Update(&p.head_state, h.data(), h.size());
  return p;
}

std::string leaf_data(const PreparedLeaf& p, uint64_t seq) {
  return p.head + ",\"seq\":" + std::to_string(seq) + "," + p.tail;
}

Hash prepared_leaf_hash(const PreparedLeaf& p, uint64_t seq) {
  SHA256_CTX ctx = p.head_state;
  std::string middle = ",\"seq\":" + std::to_string(seq) + ",";
  SHA256_Update(&ctx, middle.data(), middle.size());
  SHA256_Update(&ctx, p.tail.data(), p.tail.size());
  Hash h;
  SHA256_Final(h.data(), &ctx);
  return h;
}

int64_t seq_of_leaf(std::string_view data) {
  // Details are strings only, so an unquoted "seq": number is the top-level key.
  size_t pos = data.find(",\"seq\":");
  if (pos == std::string_view::npos) return -1;
  pos += 7;
  int64_t v = 0;
  size_t digits = 0;
  while (pos < data.size() && data[pos] >= '0' && data[pos] <= '9' && digits < 19) v = v * 10 + (data[pos++] - '0'), ++digits;
  return digits ? v : -1;
}

Result<siem::SecurityEvent> event_from_leaf(const std::string& data) {
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("audit_corrupt", "audit leaf is not a JSON object");
  siem::SecurityEvent e;
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  e.id = str("id");
  e.time = str("time");
  e.type = str("type");
  e.severity = str("severity");
  e.actor = str("actor");
  e.subject = str("subject");
  e.source_ip = str("source_ip");
  e.outcome = str("outcome");
  if (j.contains("details") && j["details"].is_object())
    for (auto& [k, v] : j["details"].items()) e.details[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return e;
}

namespace {
struct TypeSpec {
  std::vector<std::string> required;
  std::map<std::string, std::vector<std::string>> allowed;  // detail -> allowed values
};

// The life of a wipe or lock: each stage is its own audit event.
const std::vector<std::string> kStages = {"requested", "approved", "dispatched", "result", "expired"};

const std::map<std::string, TypeSpec>& type_specs() {
  static const std::map<std::string, TypeSpec> specs = {
      {"auth.attempt", {{"method"}, {}}},
      {"auth.throttled", {{"limit_per_minute"}, {}}},
      {"auth.csrf_refused", {{"route", "reason"}, {}}},
      {"auth.sign_out", {{"scope"}, {{"scope", {"this_session", "everywhere"}}}}},
      {"authz.denied", {{"route"}, {}}},
      {"access.decision", {{"decision"}, {{"decision", {"allow", "step_up", "deny"}}}}},
      {"access.shared_account", {{"reason"}, {}}},
      {"device.app_installed", {{"app_id", "approved"}, {{"approved", {"true", "false"}}}}},
      {"device.app_removed", {{"app_id"}, {}}},
      {"device.network_access", {{"destination", "network"}, {}}},
      {"device.wipe", {{"wipe_type", "reason", "stage"}, {{"wipe_type", {"selective", "full"}}, {"stage", kStages}}}},
      {"device.lock", {{"reason", "stage"}, {{"stage", kStages}}}},
      {"response.drill", {{"runbook", "result"}, {{"result", {"passed", "failed"}}}}},
      {"response.drill_overdue", {{"runbook"}, {}}},
      {"incident.change", {{"status"}, {}}},
      {"smish.report", {{"channel"}, {}}},
      {"smish.campaign", {{"reports", "reporters", "departments", "summary"}, {}}},
      {"intel.hit", {{"indicator"}, {}}},
      {"ehr.alert", {{"alert", "kind", "explanation"}, {}}},
      {"telehealth.session", {{"platform"}, {}}},
      {"posture.state_change", {{"from", "to"}, {}}},
      {"system.start", {{}, {}}},
      {"system.stop", {{}, {}}},
  };
  return specs;
}
}  // namespace

Status validate_event(const siem::SecurityEvent& e) {
  auto bad = [&](const std::string& why) { return make_error("invalid_event", "audit event '" + e.type + "': " + why); };
  if (e.type.empty()) return make_error("invalid_event", "audit event has no type");
  if (e.actor.empty()) return bad("actor is required (the user, service or 'system' that acted)");
  if (e.outcome != "success" && e.outcome != "failure") return bad("outcome must be 'success' or 'failure'");
  if (e.time.size() < 20 || e.time.back() != 'Z') return bad("time must be RFC 3339 UTC, e.g. 2026-11-28T12:00:00.000Z");
  if (e.type.rfind("admin.", 0) == 0) return {};
  auto spec = type_specs().find(e.type);
  if (spec == type_specs().end()) return bad("unknown event type; see docs/audit-log-format.md for the list");
  for (const auto& key : spec->second.required)
    if (!e.details.count(key)) return bad("detail '" + key + "' is required");
  for (const auto& [key, values] : spec->second.allowed) {
    auto it = e.details.find(key);
    if (it != e.details.end() && std::find(values.begin(), values.end(), it->second) == values.end())
      return bad("detail '" + key + "' is '" + it->second + "'");
  }
  return {};
}

}  // namespace wardline::audit
