// Runbooks: one YAML file per incident type (runbooks/*.yaml,
// docs/runbooks.md), each an ordered list of steps with an owner and, where
// Wardline can do the step, the action that does it.
#include <algorithm>
#include <filesystem>
#include <set>

#include "core/files.h"
#include "core/strings.h"
#include "core/yaml_reader.h"
#include "response/response.h"

namespace wardline::response {
namespace {

constexpr size_t kMaxText = 1 << 20;
constexpr size_t kMaxSteps = 200;
constexpr size_t kMaxStepId = 64;

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// "; did you mean 'device.wipe'?" when `name` is a typo of one of `names`, else ".".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& names) {
  constexpr size_t kLongestTypo = 40;  // longer text is not a typo, and would be slow to compare
  if (name.size() > kLongestTypo) return ".";
  std::string best;
  size_t best_distance = 3;  // further than two edits is not a typo
  for (const auto& n : names)
    if (size_t d = edit_distance(name, n); d < best_distance) best = n, best_distance = d;
  return best.empty() ? "." : "; did you mean '" + best + "'?";
}

std::vector<std::string> action_names() {
  std::vector<std::string> out;
  for (const auto& a : runbook_actions()) out.push_back(a.name);
  return out;
}

bool valid_step_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxStepId && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || ascii_digit(c) || c == '_' || c == '-';
         });
}

struct Reader : YamlReader {
  explicit Reader(const std::string& source) {
    file = source;
    code = "invalid_runbook";
  }

  // Unknown keys, and a key written twice (YAML keeps only one of them), are errors.
  Status keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& what) const {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const std::string& k = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        return error(kv.first, "unknown key '" + k.substr(0, 100) + "' in " + what + did_you_mean(k, allowed) +
                                   " Allowed here: " + joined(allowed));
      if (!seen.insert(k).second) return error(kv.first, "'" + k + "' appears twice in " + what + "; keep one");
    }
    return {};
  }

  // The text under `key` of `map`: "" when absent and optional.
  Result<std::string> text(const YAML::Node& map, const char* key, const std::string& what, bool required) const {
    for (const auto& kv : map) {
      if (kv.first.Scalar() != key) continue;
      const YAML::Node& v = kv.second;
      if (v.IsNull() || (v.IsScalar() && v.Scalar().empty())) {
        if (!required) return std::string();
        // At the key: an empty value's mark is wherever the next token starts.
        return error(kv.first, "'" + std::string(key) + "' of " + what + " is empty; write its text after the colon");
      }
      return scalar(v, "'" + std::string(key) + "' of " + what);
    }
    if (!required) return std::string();
    return error(map, what + " has no '" + key + "'; add " + key + ": ...");
  }

  Result<RunbookStep> step(const YAML::Node& n, size_t index, const std::string& runbook_owner) const {
    std::string what = "step " + std::to_string(index + 1);
    if (!n.IsMap()) return error(n, what + " must be a map with id, title, owner, action and details");
    if (Status s = keys(n, {"id", "title", "owner", "action", "details"}, what); !s) return s.error();
    RunbookStep st;
    auto id = text(n, "id", what, true);
    if (!id) return id.error();
    if (!valid_step_id(*id))
      return error(n["id"], "step id '" + id->substr(0, kMaxStepId) + "' must be 1 to " + std::to_string(kMaxStepId) +
                                " characters of a-z, 0-9, '_' and '-', e.g. lock_device");
    st.id = *id;
    what = "step '" + st.id + "'";
    auto title = text(n, "title", what, true);
    auto owner = text(n, "owner", what, false);
    auto action = text(n, "action", what, false);
    auto details = text(n, "details", what, false);
    for (auto* r : {&title, &owner, &action, &details})
      if (!*r) return r->error();
    st.title = *title;
    st.owner = owner->empty() ? runbook_owner : *owner;
    st.action = *action;
    st.details = *details;
    if (!st.action.empty()) {
      const auto& all = runbook_actions();
      if (std::none_of(all.begin(), all.end(), [&](const RunbookAction& a) { return a.name == st.action; })) {
        auto names = action_names();
        return error(n["action"], what + ": unknown action '" + st.action.substr(0, 100) + "'" +
                                      did_you_mean(st.action, names) + " The actions are: " + joined(names) +
                                      ". Leave action out for a step people do by hand.");
      }
    }
    return st;
  }

  Result<Runbook> runbook(const YAML::Node& root, const std::string& name) const {
    if (!root.IsMap())
      return error(root, "a runbook is a map with title, incident_type, owner, description and steps (see docs/runbooks.md)");
    if (Status s = keys(root, {"title", "incident_type", "owner", "description", "steps"}, "the runbook"); !s)
      return s.error();
    Runbook rb;
    rb.name = name;
    auto title = text(root, "title", "the runbook", true);
    auto type = text(root, "incident_type", "the runbook", true);
    auto owner = text(root, "owner", "the runbook", true);
    auto description = text(root, "description", "the runbook", false);
    for (auto* r : {&title, &type, &owner, &description})
      if (!*r) return r->error();
    rb.title = *title;
    rb.incident_type = *type;
    rb.owner = *owner;
    rb.description = *description;
    const auto& types = incident_types();
    if (std::find(types.begin(), types.end(), rb.incident_type) == types.end())
      return error(root["incident_type"], "unknown incident_type '" + rb.incident_type.substr(0, 100) + "'" +
                                              did_you_mean(rb.incident_type, types) + " Use one of: " + joined(types));
    const YAML::Node steps = root["steps"];
    if (!steps) return error(root, "the runbook has no steps; add steps: a list of {id, title, owner, action, details}");
    if (!steps.IsSequence() || steps.size() == 0)
      return error(steps, "steps must be a non-empty list of {id, title, owner, action, details}");
    if (steps.size() > kMaxSteps)
      return error(steps, "a runbook has at most " + std::to_string(kMaxSteps) + " steps; split it in two");
    std::set<std::string> ids;
    for (size_t i = 0; i < steps.size(); ++i) {
      auto st = step(steps[i], i, rb.owner);
      if (!st) return st.error();
      if (!ids.insert(st->id).second)
        return error(steps[i]["id"], "step id '" + st->id + "' is used twice; give each step its own id");
      rb.steps.push_back(std::move(*st));
    }
    return rb;
  }
};

std::string mark_of(const std::string& source, const YAML::Mark& m) {
  if (m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

}  // namespace

const std::vector<RunbookAction>& runbook_actions() {
  static const std::vector<RunbookAction> kActions = {
      {"device.lock", "POST", "/api/v1/devices/{id}/lock",
       "Lock the device through its MDM at once; its user unlocks it with their passcode."},
      {"device.wipe", "POST", "/api/v1/devices/{id}/wipe",
       "Wipe the device through its MDM: selective (work profile and managed apps only) for BYOD, full for "
       "corporate devices; a full wipe waits for a second administrator (two-person rule)."},
      {"device.approve_wipe", "POST", "/api/v1/response/actions/{id}/approve",
       "A second administrator approves a full wipe that is waiting; it is then sent to the MDM."},
      {"device.show", "GET", "/api/v1/devices/{id}",
       "The device's posture: ownership, management, compliance findings, apps and last check-in."},
      {"campaign.confirm", "POST", "/api/v1/campaigns/{id}/status",
       "Confirm a smishing campaign (status confirmed): blocks its indicators, alerts the SIEM and notifies the "
       "staff it targeted."},
      {"campaign.false_positive", "POST", "/api/v1/campaigns/{id}/status",
       "Close a campaign as a false positive (status false_positive): nothing is blocked."},
      {"intel.alert_status", "POST", "/api/v1/intel/alerts/{id}/status",
       "Move a threat-intel alert to acknowledged, closed or false_positive."},
      {"intel.export", "GET", "/api/v1/intel/export/rpz",
       "The block list as a DNS response policy zone (RPZ) for the hospital's resolvers."},
      {"user.disable", "POST", "/api/v1/users/{name}/disable",
       "Disable a Wardline account: its API tokens stop working at once (the identity provider account is "
       "disabled there)."},
      {"audit.search", "GET", "/api/v1/audit/events",
       "Search the audit log by type, actor, subject and time: who did what, from where."},
      {"incident.update", "POST", "/api/v1/incidents/{id}",
       "Change an incident's status, owner or severity, add items, or note what was done on its timeline."},
  };
  return kActions;
}

const std::vector<std::string>& incident_types() {
  static const std::vector<std::string> kTypes = {"smishing_campaign", "credential_compromise", "lost_device",
                                                  "intel_hit", "malicious_app"};
  return kTypes;
}

Result<Runbook> parse_runbook(std::string_view yaml_text, const std::string& name, const std::string& source) {
  if (yaml_text.size() > kMaxText)
    return make_error("invalid_runbook", source + ": the runbook is larger than 1 MiB; a runbook is a page of steps, "
                                                  "not a document store");
  Reader rd(source);
  try {
    return rd.runbook(YAML::Load(std::string(yaml_text)), name);
  } catch (const YAML::Exception& e) {
    return make_error("invalid_runbook", mark_of(source, e.mark) + ": not a valid runbook: " + e.msg +
                                             " (check the indentation and quoting; see docs/runbooks.md)");
  }
}

Result<std::vector<Runbook>> load_runbooks(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;  // a dangling link is not a directory: reading it says what is wrong
    if (it->path().extension() == ".yaml" && !it->is_directory(type_ec)) files.push_back(it->path());
  }
  if (ec)
    return make_error("unreadable", "cannot read the runbooks directory '" + dir + "': " + ec.message() +
                                        "; set response.runbooks_dir to the directory that holds the runbook YAML files");
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  std::vector<Runbook> out;
  std::map<std::string, std::string> names;  // lower-case name -> file
  for (const auto& f : files) {
    std::string name = f.stem().string();
    // Names reach URLs and the CLI, where lost-device and Lost-Device would be confused.
    auto [it, fresh] = names.emplace(ascii_lowercase(name), f.filename().string());
    if (!fresh)
      return make_error("invalid_runbook", "runbooks '" + it->second + "' and '" + f.filename().string() + "' in '" + dir +
                                               "' have the same name '" + name +
                                               "' (names ignore case); rename or remove one of them");
    auto text = read_file(f.string(), "runbook");
    if (!text) return text.error();
    auto rb = parse_runbook(*text, name, f.string());
    if (!rb) return rb.error();
    out.push_back(std::move(*rb));
  }
  return out;
}

}  // namespace wardline::response
