// wardline devices import|list|show|evaluate, wardline advisories
// import|list, wardline report app-audit|patch-sla|fleet: the device
// inventory from the MDM, judged by the posture policy.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/context.h"
#include "cli/progress.h"
#include "cli/posture_support.h"
#include "core/files.h"
#include "core/time.h"
#include "posture/posture.h"
#include "response/response.h"
#include "siem/siem.h"

namespace wardline::cli {
namespace {

constexpr size_t kStoreChunk = 1000;

struct PostureOptions {
  CommonOptions common;
  std::string policy;  // --policy
};

void add_posture_options(CLI::App& cmd, PostureOptions& o, bool with_json = false) {
  cmd.add_option("--policy", o.policy, "Posture policy (default: posture.policy, else policies/posture.yaml)");
  add_common_options(cmd, o.common, with_json);
}

// Opens the runtime and the inventory, then runs `fn`.
int with_inventory(const PostureOptions& o, const std::function<int(Runtime&, posture::DeviceInventory&)>& fn) {
  auto config = effective_config(o.common);
  if (!config) return fail(config.error());
  auto rt = open_runtime(*config, true);
  if (!rt) return fail(rt.error());
  auto inventory = open_inventory(*config, *(*rt)->store, o.policy);
  if (!inventory) return fail(inventory.error());
  return fn(**rt, **inventory);
}

std::string state_counts(const std::vector<posture::StateChange>& changes) {
  std::map<posture::State, size_t> n;
  for (const auto& c : changes) ++n[c.to];
  std::string out;
  for (auto s : {posture::State::grace, posture::State::noncompliant, posture::State::quarantined, posture::State::compliant})
    if (n[s]) out += (out.empty() ? "" : ", ") + std::to_string(n[s]) + " now " + std::string(posture::name_of(s));
  return out.empty() ? "no state changes" : out;
}

void print_problems(const std::vector<posture::ImportProblem>& problems) {
  for (const auto& p : problems) std::cerr << "wardline: " << p.where << ": " << p.reason << "\n";
}

int import_devices(const PostureOptions& o, const std::string& source_text, const std::vector<std::string>& files) {
  auto source = posture::parse_import_source(source_text);
  if (!source) return fail(make_error("usage", "unknown source '" + source_text + "': use intune, jamf, csv or json"));
  std::vector<posture::ImportBatch> batches;
  {
    Progress progress("reading " + source_text + " files", files.size());
    for (const auto& file : files) {
      auto text = read_file(file, "the device export");
      if (!text) return fail(text.error());
      auto batch = posture::parse_inventory(*source, *text, file);
      if (!batch) return fail(batch.error());
      batches.push_back(std::move(*batch));
      progress.advance();
    }
  }
  posture::ImportBatch merged = posture::merge_import(std::move(batches));
  print_problems(merged.problems);
  return with_inventory(o, [&](Runtime& rt, posture::DeviceInventory& inv) {
    int64_t now = unix_now();
    std::vector<posture::StateChange> changes;
    Progress progress("evaluating devices", merged.devices.size());
    for (size_t start = 0; start < merged.devices.size(); start += kStoreChunk) {
      std::vector<posture::Device> chunk(merged.devices.begin() + start,
                                         merged.devices.begin() + std::min(merged.devices.size(), start + kStoreChunk));
      auto c = inv.put(chunk, now);
      if (!c) return fail(c.error());
      changes.insert(changes.end(), std::make_move_iterator(c->begin()), std::make_move_iterator(c->end()));
      progress.advance(chunk.size());
    }
    progress.finish();
    auto summary = siem::make_event("admin.devices_imported", "success");
    summary.actor = local_actor();
    summary.subject = source_text;
    summary.details = {{"via", "cli"},
                       {"files", std::to_string(files.size())},
                       {"devices", std::to_string(merged.devices.size())},
                       {"problems", std::to_string(merged.problems.size())}};
    if (Status a = audit_state_changes(*rt.audit, inv, changes, local_actor(), summary); !a) return fail(a.error());
    std::cout << "imported " << merged.devices.size() << " device(s) from " << files.size() << " file(s)";
    if (!merged.problems.empty()) std::cout << ", " << merged.problems.size() << " problem(s) (listed on stderr)";
    std::cout << "; " << state_counts(changes) << "\n";
    return int(kOk);
  });
}

std::string time_text(int64_t t) { return t > 0 ? to_rfc3339(t) : "-"; }

std::string failing(const posture::Standing& s) {
  std::string out;
  for (const auto& f : s.findings)
    if (f.enforcement != posture::Enforcement::report) out += (out.empty() ? "" : ",") + f.check;
  return out.empty() ? "-" : out;
}

nlohmann::json record_json(const posture::DeviceRecord& r) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.standing.findings) {
    auto explained = posture::explain_check(f.check);
    findings.push_back({{"check", f.check}, {"enforcement", posture::name_of(f.enforcement)}, {"message", f.message},
                        {"why", explained.why}, {"fix", explained.fix}});
  }
  return {{"device", nlohmann::json::parse(posture::device_to_json(r.device), nullptr, false)},
          {"state", posture::name_of(r.standing.state)},
          {"state_since", time_text(r.standing.since)},
          {"deadline", r.standing.deadline ? nlohmann::json(to_rfc3339(r.standing.deadline)) : nlohmann::json(nullptr)},
          {"findings", findings}};
}

void print_detail(const posture::DeviceRecord& r) {
  const auto& d = r.device;
  std::cout << d.id << "  " << (d.name.empty() ? "-" : d.name) << "\n"
            << "  user: " << (d.user.empty() ? "-" : d.user) << "\n"
            << "  platform: " << posture::name_of(d.platform) << " " << d.os_version
            << (d.patch_level.empty() ? "" : " (patch level " + d.patch_level + ")") << "\n"
            << "  ownership: " << posture::name_of(d.ownership) << ", managed as " << posture::name_of(d.management)
            << "; wipe: " << response::wipe_word(d) << "\n"
            << "  last check-in: " << time_text(d.last_checkin) << " (source " << d.source << ")\n"
            << "  state: " << posture::name_of(r.standing.state) << " since " << time_text(r.standing.since);
  if (r.standing.deadline) std::cout << ", deadline " << to_rfc3339(r.standing.deadline);
  std::cout << "\n";
  for (const auto& f : r.standing.findings) {
    auto explained = posture::explain_check(f.check);
    std::cout << "  [" << posture::name_of(f.enforcement) << "] " << f.check << ": " << f.message << "\n"
              << "      why: " << explained.why << "\n"
              << "      fix: " << explained.fix << "\n";
  }
  if (r.standing.findings.empty()) std::cout << "  passes every check\n";
}

void add_devices_commands(CLI::App& app, int& rc) {
  auto* devices = app.add_subcommand("devices", "Device inventory and compliance: import from the MDM, list, show, evaluate");
  devices->require_subcommand(1);
  add_device_response_commands(*devices, rc);

  auto imp = std::make_shared<std::tuple<PostureOptions, std::string, std::vector<std::string>>>();
  auto* import_cmd = devices->add_subcommand("import", "Import devices exported from Intune (Graph), Jamf Pro, or CSV/JSON");
  import_cmd->add_option("--source", std::get<1>(*imp), "intune|jamf|csv|json")->required();
  import_cmd->add_option("FILE", std::get<2>(*imp), "export files (Graph pages, Jamf API responses, CSV, JSON)")->required();
  add_posture_options(*import_cmd, std::get<0>(*imp));
  import_cmd->callback([imp, &rc] { rc = import_devices(std::get<0>(*imp), std::get<1>(*imp), std::get<2>(*imp)); });

  auto list = std::make_shared<std::pair<PostureOptions, posture::DeviceInventory::Filter>>();
  auto* list_cmd = devices->add_subcommand("list", "Devices with their compliance state and failing checks");
  list_cmd->add_option("--state", list->second.state, "compliant|grace|noncompliant|quarantined");
  list_cmd->add_option("--ownership", list->second.ownership, "corporate|byod");
  list_cmd->add_option("--platform", list->second.platform, "ios|ipados|android|windows|macos");
  list_cmd->add_option("--user", list->second.user, "assigned user (UPN or e-mail)");
  list_cmd->add_option("--check", list->second.check, "only devices failing this check (e.g. encryption, patch_sla)");
  add_posture_options(*list_cmd, list->first, true);
  list_cmd->callback([list, &rc] {
    rc = with_inventory(list->first, [&](Runtime&, posture::DeviceInventory& inv) {
      std::string cursor;
      size_t shown = 0;
      do {
        auto page = inv.list(list->second, cursor, 500);
        if (!page) return fail(page.error());
        for (const auto& r : page->devices) {
          ++shown;
          if (list->first.common.json) {
            std::cout << record_json(r).dump() << "\n";
            continue;
          }
          std::cout << r.device.id << "  " << posture::name_of(r.standing.state) << "  " << posture::name_of(r.device.ownership)
                    << "  " << posture::name_of(r.device.platform) << " " << r.device.os_version << "  "
                    << (r.device.user.empty() ? "-" : r.device.user) << "  " << failing(r.standing) << "\n";
        }
        cursor = page->next_cursor;
      } while (!cursor.empty());
      if (shown == 0 && !list->first.common.json) std::cout << "no devices match\n";
      return int(kOk);
    });
  });

  auto show = std::make_shared<std::pair<PostureOptions, std::string>>();
  auto* show_cmd = devices->add_subcommand("show", "One device: each failing check, why it matters and how to fix it");
  show_cmd->add_option("ID", show->second, "device id")->required();
  add_posture_options(*show_cmd, show->first, true);
  show_cmd->callback([show, &rc] {
    rc = with_inventory(show->first, [&](Runtime&, posture::DeviceInventory& inv) {
      auto r = inv.get(show->second);
      if (!r) return fail(r.error());
      if (!*r) return fail(make_error("not_found", "no device '" + show->second + "' in the inventory"));
      if (show->first.common.json) std::cout << record_json(**r).dump(2) << "\n";
      else print_detail(**r);
      return int(kOk);
    });
  });

  auto eval = std::make_shared<PostureOptions>();
  auto* eval_cmd = devices->add_subcommand("evaluate", "Re-evaluate every device now (the daemon does this every posture.reevaluate_interval)");
  add_posture_options(*eval_cmd, *eval);
  eval_cmd->callback([eval, &rc] {
    rc = with_inventory(*eval, [&](Runtime& rt, posture::DeviceInventory& inv) {
      auto changes = inv.reevaluate(unix_now());
      if (!changes) return fail(changes.error());
      if (Status a = audit_state_changes(*rt.audit, inv, *changes, local_actor()); !a) return fail(a.error());
      auto n = inv.count();
      if (!n) return fail(n.error());
      std::cout << "evaluated " << *n << " device(s); " << state_counts(*changes) << "\n";
      return int(kOk);
    });
  });
}

void add_advisories_commands(CLI::App& app, int& rc) {
  auto* adv = app.add_subcommand("advisories", "Vulnerability advisories for patch SLAs: CISA KEV, NVD CVE 2.0, local YAML");
  adv->require_subcommand(1);

  auto imp = std::make_shared<std::tuple<PostureOptions, std::string, std::vector<std::string>>>();
  auto* import_cmd = adv->add_subcommand("import", "Import advisories; the same CVE from several sources merges");
  import_cmd->add_option("--source", std::get<1>(*imp), "kev|nvd|local")->required();
  import_cmd->add_option("FILE", std::get<2>(*imp), "KEV catalogue JSON, NVD CVE API 2.0 JSON pages, or local YAML")->required();
  add_posture_options(*import_cmd, std::get<0>(*imp));
  import_cmd->callback([imp, &rc] {
    auto& [o, source_text, files] = *imp;
    auto source = posture::parse_advisory_source(source_text);
    if (!source) return void(rc = fail(make_error("usage", "unknown source '" + source_text + "': use kev, nvd or local")));
    auto config = effective_config(o.common);
    if (!config) return void(rc = fail(config.error()));
    auto policy = posture::Policy::load(posture_policy_path(*config, o.policy));
    if (!policy) return void(rc = fail(policy.error()));
    std::vector<posture::Advisory> all;
    size_t unmapped = 0, skipped = 0;
    for (const auto& file : files) {
      auto text = read_file(file, "the advisory file");
      if (!text) return void(rc = fail(text.error()));
      auto batch = posture::parse_advisories(*source, *text, file, (*policy)->cpe_products(), (*policy)->timezone());
      if (!batch) return void(rc = fail(batch.error()));
      print_problems(batch->problems);
      skipped += batch->problems.size();
      unmapped += batch->unmapped;
      all.insert(all.end(), std::make_move_iterator(batch->advisories.begin()), std::make_move_iterator(batch->advisories.end()));
    }
    auto rt = open_runtime(*config, true);
    if (!rt) return void(rc = fail(rt.error()));
    posture::AdvisoryBook book(*(*rt)->store);
    auto counts = book.upsert(all);
    if (!counts) return void(rc = fail(counts.error()));
    if (Status a = record_local(**rt, "admin.advisories_imported", source_text,
                                {{"files", std::to_string(files.size())},
                                 {"added", std::to_string(counts->added)},
                                 {"updated", std::to_string(counts->updated)}},
                                nullptr);
        !a)
      return void(rc = fail(a.error()));
    std::cout << "imported " << all.size() << " advisory(ies): " << counts->added << " new, " << counts->updated << " merged";
    if (unmapped) std::cout << "; " << unmapped << " about products no device runs (see cpe_products in the policy)";
    if (skipped) std::cout << "; skipped " << skipped << " bad record(s) (listed on stderr)";
    std::cout << "\nrun 'wardline devices evaluate' (or wait for the daemon) to apply them to devices\n";
    rc = kOk;
  });
}

void add_report_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<std::tuple<PostureOptions, std::string, std::string>>();
  std::get<2>(*o) = "text";
  auto* report = app.add_subcommand("report", "Compliance reports: app-audit (quarterly app inventory), patch-sla, fleet");
  report->add_option("KIND", std::get<1>(*o), "app-audit|patch-sla|fleet")->required();
  report->add_option("--format", std::get<2>(*o), "text|csv|json (default text)");
  add_posture_options(*report, std::get<0>(*o));
  report->callback([o, &rc] {
    auto& [opts, kind_text, format_text] = *o;
    auto kind = posture::parse_report_kind(kind_text);
    if (!kind) return void(rc = fail(make_error("usage", "unknown report '" + kind_text + "': use app-audit, patch-sla or fleet")));
    auto format = posture::parse_report_format(format_text);
    if (!format) return void(rc = fail(make_error("usage", "unknown format '" + format_text + "': use text, csv or json")));
    rc = with_inventory(opts, [&](Runtime&, posture::DeviceInventory& inv) {
      auto text = posture::render_report(inv, *kind, *format, unix_now());
      if (!text) return fail(text.error());
      std::cout << *text;
      return int(kOk);
    });
  });
}

}  // namespace

void add_posture_commands(CLI::App& app, int& rc) {
  add_devices_commands(app, rc);
  add_advisories_commands(app, rc);
  add_report_commands(app, rc);
}

}  // namespace wardline::cli
