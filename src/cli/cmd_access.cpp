// wardline access decide|explain: a conditional-access decision offline,
// from a request file, against the same policy, directory, device inventory
// and threat intelligence the daemon uses.
#include <CLI/CLI.hpp>

#include <iostream>

#include "api/api.h"
#include "cli/access_support.h"
#include "cli/context.h"
#include "cli/ehr_support.h"
#include "cli/posture_support.h"
#include "core/files.h"
#include "core/time.h"
#include "intel/intel.h"
#include "siem/siem.h"

namespace wardline::cli {
namespace {

struct AccessOptions {
  CommonOptions common;
  AccessFiles files;
  std::string request_file;
};

int run(const AccessOptions& o, bool explain) {
  auto config = effective_config(o.common);
  if (!config) return fail(config.error());
  auto text = read_file(o.request_file, "the access request");
  if (!text) return fail(text.error());
  auto request = access::parse_request(*text);
  if (!request) return fail(make_error(request.error().code, o.request_file + ": " + request.error().message));
  auto rt = open_runtime(*config, true);
  if (!rt) return fail(rt.error());
  auto inventory = open_inventory(*config, *(*rt)->store);
  if (!inventory) return fail(inventory.error());
  auto indicators = std::make_shared<intel::LiveIndicators>();
  if (auto set = intel::load_snapshot(intel::snapshot_path(config->data_dir))) indicators->replace(*set);
  auto ehr_settings = load_ehr_settings(*config, *(*rt)->keyring);
  if (!ehr_settings) return fail(ehr_settings.error());
  auto pdp = open_decision_point(*config, o.files, *inventory, indicators, (*rt)->store.get(),
                                 ehr_risk_signal(**ehr_settings, *(*rt)->store));
  if (!pdp) return fail(pdp.error());
  access::Facts facts;
  std::vector<std::string> trace;
  auto outcome = (*pdp)->decide(*request, unix_now(), &facts, explain ? &trace : nullptr);
  if (!outcome) return fail(outcome.error());
  if (explain) {
    // A dry run: what was known, each rule considered, the answer. Not audited.
    std::cout << "facts: " << access::to_json(facts) << "\n";
    for (const auto& t : trace) std::cout << "  " << t << "\n";
    std::cout << "outcome: " << access::to_json(*outcome) << "\n";
    return kOk;
  }
  auto e = siem::make_event("access.decision", "success");
  e.actor = local_actor();
  e.subject = request->user;
  api::describe_access_decision(e, *request, *outcome);
  e.details["via"] = "cli";
  std::vector<siem::SecurityEvent> events{e};
  if (!outcome->shared_account.empty()) {
    auto alert = siem::make_event("access.shared_account", "failure");
    alert.actor = e.actor;
    alert.subject = request->user;
    api::describe_shared_account(alert, *request, *outcome);
    events.push_back(std::move(alert));
  }
  if (auto r = (*rt)->audit->record_batch(std::move(events)); !r) return fail(r.error());
  std::cout << access::to_json(*outcome) << "\n";
  return kOk;
}

// The policy file alone: for `cedar` and `decide-facts`, which need no store.
Result<std::shared_ptr<const access::Policy>> policy_only(const AccessOptions& o) {
  auto config = effective_config(o.common);
  if (!config) return config.error();
  return access::Policy::load(access_policy_path(*config, o.files.policy));
}

// Resolved facts (JSON lines on stdin, as `explain` prints them) decided by
// the policy alone: one line out per line in, {"decision", "context"} with
// the Cedar context of the same facts (the differential test's input).
int decide_facts(const AccessOptions& o) {
  auto policy = policy_only(o);
  if (!policy) return fail(policy.error());
  std::string line;
  for (size_t n = 1; std::getline(std::cin, line); ++n) {
    auto facts = access::facts_from_json(line);
    if (!facts) return fail(make_error(facts.error().code, "stdin:" + std::to_string(n) + ": " + facts.error().message));
    auto o2 = (*policy)->decide(*facts);
    std::cout << "{\"decision\":\"" << access::name_of(o2.decision) << "\",\"context\":" << (*policy)->cedar_context(*facts) << "}\n";
  }
  return kOk;
}

}  // namespace

void add_access_commands(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("access", "Conditional-access decisions offline: decide (audited), explain (a dry run with each rule)");
  cmd->require_subcommand(1);
  for (bool explain : {false, true}) {
    auto o = std::make_shared<AccessOptions>();
    auto* sub = cmd->add_subcommand(explain ? "explain" : "decide",
                                    explain ? "Show the resolved facts, every rule considered and the outcome"
                                            : "Decide a request (the JSON body of POST /api/v1/access/decide)");
    sub->add_option("--request", o->request_file, "request JSON file")->required();
    sub->add_option("--policy", o->files.policy, "access policy (default: access.policy, else policies/access.yaml)");
    sub->add_option("--directory", o->files.directory, "staff directory CSV/JSON (default: access.directory)");
    add_common_options(*sub, o->common);
    sub->callback([o, explain, &rc] { rc = run(*o, explain); });
  }
  auto cedar = std::make_shared<AccessOptions>();
  auto* cedar_cmd = cmd->add_subcommand("cedar", "Print the policy's enforced rules as Cedar policies (docs/access-policy.md)");
  cedar_cmd->add_option("--policy", cedar->files.policy, "access policy (default: access.policy, else policies/access.yaml)");
  add_common_options(*cedar_cmd, cedar->common);
  cedar_cmd->callback([cedar, &rc] {
    auto policy = policy_only(*cedar);
    if (!policy) return void(rc = fail(policy.error()));
    std::cout << (*policy)->to_cedar();
    rc = kOk;
  });
  auto facts = std::make_shared<AccessOptions>();
  auto* facts_cmd = cmd->add_subcommand("decide-facts", "Decide resolved facts (JSON lines on stdin) with the policy alone");
  facts_cmd->add_option("--policy", facts->files.policy, "access policy (default: access.policy, else policies/access.yaml)");
  add_common_options(*facts_cmd, facts->common);
  facts_cmd->callback([facts, &rc] { rc = decide_facts(*facts); });
}

}  // namespace wardline::cli
