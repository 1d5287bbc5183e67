// wardline ehr ingest|alerts|simulate: EHR access analytics from the shell.
// `ingest` reads FHIR AuditEvent, IHE ATNA or JSON-lines audit records,
// scores them against the stored baselines and keeps (and audits) the
// alerts; `simulate` writes the synthetic hospital the tests and benches use.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/context.h"
#include "cli/ehr_support.h"
#include "cli/posture_support.h"
#include "core/files.h"
#include "core/time.h"
#include "ehr/ehr.h"

namespace wardline::cli {
namespace {

struct IngestOptions {
  CommonOptions common;
  std::string format, settings, directory;
  std::vector<std::string> files;
};

Result<std::string> read_input(const std::string& path) {
  if (path != "-") return read_file(path, "the EHR audit records");
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return text;
}

void print_alert(const ehr::Alert& a, bool json) {
  if (json) std::cout << ehr::to_json(a) << "\n";
  else
    std::cout << a.id << "\t" << to_rfc3339(a.at) << "\t" << a.severity << "\t" << a.kind << "\t" << a.user << "\t"
              << a.explanation << "\n";
}

int ingest(const IngestOptions& o) {
  std::optional<ehr::Format> forced;
  if (!o.format.empty()) {
    forced = ehr::parse_format(o.format);
    if (!forced) return fail(make_error("invalid_argument", "--format must be fhir, atna or jsonl"));
  }
  auto config = effective_config(o.common);
  if (!config) return fail(config.error());
  auto rt = open_runtime(*config, true);
  if (!rt) return fail(rt.error());
  auto inventory = open_inventory(*config, *(*rt)->store);
  if (!inventory) return fail(inventory.error());
  auto ehr_rt = open_ehr(*config, *(*rt)->keyring, *(*rt)->store, *inventory, o.settings, o.directory);
  if (!ehr_rt) return fail(ehr_rt.error());
  ehr::AlertBook book(*(*rt)->store);
  size_t records = 0, events = 0, problems = 0, alerts = 0;
  int rc = kOk;
  for (const auto& path : o.files) {
    auto text = read_input(path);
    if (!text) return fail(text.error());
    const ehr::Format format = forced.value_or(ehr::sniff_format(*text));
    const std::string name = path == "-" ? "stdin" : path;
    auto out = ehr::ingest(*text, format, *ehr_rt->key, *ehr_rt->analytics, book, *(*rt)->audit, "cli:" + name);
    if (!out) {
      rc = fail(out.error());
      break;
    }
    for (const auto& p : out->problems)
      std::cerr << name << ": record " << p.record << " (line " << p.line << "): " << p.message << "\n";
    if (out->stats.problems > out->problems.size())
      std::cerr << name << ": ... and " << out->stats.problems - out->problems.size() << " more problem(s)\n";
    for (const auto& a : out->alerts) print_alert(a, o.common.json);
    records += out->stats.records;
    events += out->stats.events;
    problems += out->stats.problems;
    alerts += out->alerts.size();
  }
  // What was learned is kept even when a later file failed.
  if (Status st = ehr_rt->analytics->save(*(*rt)->store); !st) return fail(st.error());
  std::cerr << "ehr ingest: " << records << " record(s), " << events << " event(s), " << problems << " problem(s), "
            << alerts << " alert(s); " << ehr_rt->analytics->users() << " user baseline(s)\n";
  return rc;
}

struct AlertsOptions {
  CommonOptions common;
  ehr::AlertFilter filter;
};

int list_alerts(const AlertsOptions& o) {
  auto config = effective_config(o.common);
  if (!config) return fail(config.error());
  auto rt = open_runtime(*config, true);
  if (!rt) return fail(rt.error());
  ehr::AlertBook book(*(*rt)->store);
  auto page = book.list(o.filter);
  if (!page) return fail(page.error());
  for (const auto& a : page->alerts) print_alert(a, o.common.json);
  if (!page->next_cursor.empty()) std::cerr << "more: --cursor " << page->next_cursor << "\n";
  return kOk;
}

struct SimulateOptions {
  ehr::SimulationOptions sim;
  std::string format = "fhir", out, labels, settings, directory, start;
};

Status write_text(const std::string& path, const std::function<void(std::ostream&)>& fn) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return make_error("io_error", "cannot write " + path);
  fn(f);
  f.close();
  if (!f) return make_error("io_error", "writing " + path + " failed (disk full?)");
  return {};
}

int simulate(const SimulateOptions& o) {
  auto format = ehr::parse_format(o.format);
  if (!format) return fail(make_error("invalid_argument", "--format must be fhir, atna or jsonl"));
  ehr::SimulationOptions options = o.sim;
  if (!o.start.empty()) {
    auto start = parse_rfc3339(o.start + "T00:00:00Z");
    if (o.start.size() != 10 || !start)
      return fail(make_error("invalid_argument", "--start must be a date, YYYY-MM-DD (got '" + o.start + "')", "start"));
    options.start = *start;
  }
  const ehr::Simulation sim = ehr::simulate(options);
  Status st = write_text(o.out, [&](std::ostream& f) {
    for (const auto& e : sim.events) {
      switch (*format) {
        case ehr::Format::fhir: f << ehr::to_fhir_json(e.event, e.patient_id); break;
        case ehr::Format::atna: f << ehr::to_atna_xml(e.event, e.patient_id); break;
        case ehr::Format::jsonl: f << ehr::to_jsonl(e.event, e.patient_id); break;
      }
      f << "\n";
    }
  });
  if (!st) return fail(st.error());
  if (!o.labels.empty()) {
    st = write_text(o.labels, [&](std::ostream& f) {
      for (const auto& a : sim.anomalies)
        f << nlohmann::json{{"kind", a.kind}, {"user", a.user}, {"start", to_rfc3339(a.start)}, {"end", to_rfc3339(a.end)},
                            {"after_phish", a.after_phish}, {"description", a.description}}
                 .dump()
          << "\n";
    });
    if (!st) return fail(st.error());
  }
  if (!o.settings.empty()) {
    st = write_text(o.settings, [&](std::ostream& f) { f << sim.settings_yaml; });
    if (!st) return fail(st.error());
  }
  if (!o.directory.empty()) {
    st = write_text(o.directory, [&](std::ostream& f) { f << ehr::staff_directory_csv(sim); });
    if (!st) return fail(st.error());
  }
  std::cerr << "ehr simulate: " << sim.events.size() << " event(s) of " << sim.staff.size() << " staff over " << o.sim.days
            << " day(s), " << sim.anomalies.size() << " labelled anomalies\n";
  return kOk;
}

}  // namespace

void add_ehr_commands(CLI::App& app, int& rc) {
  auto* ehr = app.add_subcommand("ehr", "EHR access analytics: ingest audit records, list alerts, simulate a hospital");
  ehr->require_subcommand(1);

  auto io = std::make_shared<IngestOptions>();
  auto* in = ehr->add_subcommand("ingest", "Score EHR audit records (FHIR AuditEvent, IHE ATNA, JSON lines) and keep the alerts");
  in->add_option("--format", io->format, "fhir|atna|jsonl (default: guessed from each input)");
  in->add_option("--settings", io->settings, "Analytics settings file (default: ehr.settings, else policies/ehr.yaml)");
  in->add_option("--directory", io->directory, "Staff directory for roles and departments (default: access.directory)");
  in->add_option("FILE", io->files, "Files to read, or - for stdin")->required();
  add_common_options(*in, io->common, true);
  in->callback([io, &rc] { rc = ingest(*io); });

  auto ao = std::make_shared<AlertsOptions>();
  auto* al = ehr->add_subcommand("alerts", "EHR access alerts, newest first");
  al->add_option("--user", ao->filter.user, "Only this user's");
  al->add_option("--kind", ao->filter.kind, "Only this kind (volume_spike, off_hours, new_device, ...)");
  al->add_option("--since", ao->filter.since, "Only from this time on (RFC 3339)");
  al->add_option("--limit", ao->filter.limit, "At most this many (1-1000)")->check(CLI::Range(1, 1000));
  al->add_option("--cursor", ao->filter.cursor, "Continue after a previous page");
  add_common_options(*al, ao->common, true);
  al->callback([ao, &rc] { rc = list_alerts(*ao); });

  auto so = std::make_shared<SimulateOptions>();
  auto* sim = ehr->add_subcommand("simulate", "Write a synthetic hospital's EHR access stream with labelled anomalies");
  sim->add_option("--users", so->sim.users, "Staff")->check(CLI::Range(10, 100000));
  sim->add_option("--days", so->sim.days, "Days")->check(CLI::Range(2, 365));
  sim->add_option("--seed", so->sim.seed, "Random seed (same seed, same stream)");
  sim->add_option("--start", so->start, "First day, YYYY-MM-DD (UTC midnight; default 2026-01-05)");
  sim->add_option("--anomalies-per-kind", so->sim.anomalies_per_kind, "Labelled anomalies of each kind")->check(CLI::Range(0, 1000));
  sim->add_option("--warmup-days", so->sim.warmup_days, "Days before the first anomaly")->check(CLI::Range(0, 365));
  sim->add_option("--format", so->format, "fhir|atna|jsonl (default fhir: NDJSON AuditEvents)");
  sim->add_option("--out", so->out, "The stream")->required();
  sim->add_option("--labels", so->labels, "The injected anomalies, JSON lines");
  sim->add_option("--settings", so->settings, "Analytics settings for this hospital (sites, VIP patients)");
  sim->add_option("--directory", so->directory, "Staff directory CSV (user,role,groups,department)");
  sim->callback([so, &rc] { rc = simulate(*so); });
}

}  // namespace wardline::cli
