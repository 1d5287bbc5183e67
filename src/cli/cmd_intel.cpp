// wardline intel scan|export|check: threat feeds against logs, and feeds as
// block lists.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "api/api.h"
#include "cli/context.h"
#include "cli/intel_support.h"
#include "cli/resources.h"
#include "core/time.h"
#include "intel/intel.h"
#include "siem/siem.h"
#include "smish/smish.h"

namespace wardline::cli {
namespace {

struct IntelOptions {
  std::vector<std::string> feeds;
  std::string feed_format;
  std::vector<std::string> warning_lists;
  std::string org;
  bool quiet = false;
};

void add_feed_options(CLI::App& cmd, IntelOptions& o) {
  cmd.add_option("--feeds", o.feeds,
                 "Feed files (STIX 2.1 bundle, MISP event, CSV, URLhaus CSV, plain list) or MISP feed directories "
                 "(default: the set compiled by 'wardline intel feed pull')")
      ->delimiter(',');
  cmd.add_option("--feed-format", o.feed_format, "Format of every feed: stix|misp|csv|urlhaus|list (default: detected)");
  cmd.add_option("--warning-list", o.warning_lists,
                 "Files of domains that must never alert (one per line); the organization's own domains always are");
  cmd.add_option("--org", o.org, "Organization profile (default: smish.organization from the configuration)");
  cmd.add_flag("--quiet,-q", o.quiet, "Print only errors on stderr");
}

Result<intel::WarningList> warning_list(const IntelOptions& o, const Config& config) {
  return intel_warning_list(config, o.org, o.warning_lists);
}

Result<std::shared_ptr<const intel::IndicatorSet>> load_feeds(const IntelOptions& o, const Config& config) {
  if (o.feeds.empty()) {
    auto set = intel::load_snapshot(intel::snapshot_path(config.data_dir));
    if (set && !o.quiet)
      std::cerr << "indicator set: " << (*set)->size() << " indicators from " << intel::snapshot_path(config.data_dir) << "\n";
    return set;
  }
  std::optional<intel::FeedFormat> format;
  if (!o.feed_format.empty()) {
    format = intel::parse_feed_format(o.feed_format);
    if (!format) return make_error("usage", "unknown feed format '" + o.feed_format + "': use stix, misp, csv, urlhaus or list");
  }
  auto warning = warning_list(o, config);
  if (!warning) return warning.error();
  std::vector<intel::FeedFile> files;
  for (const auto& path : o.feeds) files.push_back({"", path, format, 50});
  std::vector<intel::FeedReport> reports;
  auto set = intel::load_indicator_set(files, *warning, reports);
  if (!set) return set.error();
  if (!o.quiet) {
    for (const auto& r : reports) {
      std::cerr << "feed " << r.name << " (" << intel::feed_format_name(r.format) << "): " << r.stats.indicators
                << " indicators, " << r.stats.rejected << " rejected, " << r.stats.ignored << " ignored\n";
      for (size_t i = 0; i < r.stats.rejects.size() && i < 5; ++i)
        std::cerr << "  rejected " << r.stats.rejects[i].where << ": " << r.stats.rejects[i].reason << "\n";
      if (r.stats.rejected > 5) std::cerr << "  ... and " << r.stats.rejected - 5 << " more rejected\n";
    }
    std::cerr << "indicator set: " << (*set)->size() << " indicators in " << ((*set)->memory_bytes() + 1023) / 1024
              << " KiB; " << (*set)->warninglisted() << " on the warning list\n";
  }
  return set;
}

std::string hit_json(const intel::Hit& h) {
  const intel::Provenance& p = *h.match.provenance;
  nlohmann::ordered_json j{{"file", h.file},
                           {"line", h.line},
                           {"timestamp", h.timestamp},
                           {"field", h.field},
                           {"observed", h.observed},
                           {"indicator", h.match.value},
                           {"type", intel::type_name(h.match.type)},
                           {"feeds", p.feeds},
                           {"confidence", p.confidence},
                           {"labels", p.labels}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int scan(const IntelOptions& o, const std::string& format_name, unsigned threads, const std::vector<std::string>& inputs,
         const CommonOptions& common) {
  auto config = effective_config(common);
  if (!config) return fail(config.error());
  std::optional<intel::LogFormat> format;
  if (!format_name.empty()) {
    format = intel::parse_log_format(format_name);
    if (!format) return fail(make_error("usage", "unknown log format '" + format_name + "': use zeek, squid, eve, cef or ecs"));
  }
  auto set = load_feeds(o, *config);
  if (!set) return fail(set.error());
  std::string out;
  auto flush = [&] {
    if (!out.empty() && std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) return false;
    out.clear();
    return true;
  };
  auto on_hit = [&](const intel::Hit& h) {
    out += hit_json(h);
    out += '\n';
    if (out.size() > (1 << 16)) flush();
  };
  intel::ScanStats total;
  int rc = kOk;
  for (const auto& input : inputs) {
    int fd = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      rc = fail(make_error("unreadable", "cannot open log '" + input + "': " + std::strerror(errno)));
      continue;
    }
    // Regular files are split between threads; pipes are streamed.
    struct stat st {};
    auto stats = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                     ? intel::scan_file(fd, static_cast<uint64_t>(st.st_size), input, format, **set, threads, on_hit)
                     : intel::scan_stream(fd, input == "-" ? "<stdin>" : input, format, **set, on_hit);
    if (fd != STDIN_FILENO) ::close(fd);
    if (!stats) {
      rc = fail(stats.error());
      continue;
    }
    total.lines += stats->lines;
    total.records += stats->records;
    total.malformed += stats->malformed;
    total.hits += stats->hits;
    if (!o.quiet)
      for (const auto& [line, why] : stats->first_malformed) std::cerr << "malformed " << input << ":" << line << ": " << why << "\n";
  }
  if (!flush()) return fail(make_error("write_failed", "cannot write hits to standard output"));
  std::fflush(stdout);
  if (!o.quiet)
    std::cerr << "scanned " << total.lines << " lines in " << inputs.size() << " file(s): " << total.records << " records, "
              << total.malformed << " malformed, " << total.hits << " hits\n";
  return rc;
}

int export_feeds(const IntelOptions& o, const std::string& format_name, const intel::ExportOptions& eo, const std::string& output,
                 const CommonOptions& common) {
  auto config = effective_config(common);
  if (!config) return fail(config.error());
  auto format = intel::parse_export_format(format_name);
  if (!format) return fail(make_error("usage", "unknown export format '" + format_name + "': use rpz, stix, domains or squid-acl"));
  auto set = load_feeds(o, *config);
  if (!set) return fail(set.error());
  intel::ExportOptions options = eo;
  options.now = unix_now();
  std::string text = intel::export_indicators(**set, *format, options);
  if (output.empty() || output == "-") {
    std::cout << text;
    return std::cout.good() ? kOk : fail(make_error("write_failed", "cannot write to standard output"));
  }
  std::ofstream f(output, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f.good()) return fail(make_error("write_failed", "cannot write '" + output + "'"));
  return kOk;
}

std::string feed_status_line(const intel::FeedEntry& f) {
  std::string s = f.name + "  " + f.source + "  format=" + (f.format ? std::string(intel::feed_format_name(*f.format)) : "auto") +
                  "  confidence=" + std::to_string(f.confidence);
  if (f.last_pull_at == 0) return s + "  never pulled";
  s += "  pulled " + to_rfc3339(f.last_pull_at) + " (" + f.last_status + "): " + std::to_string(f.indicators) +
       " indicators, " + std::to_string(f.rejected) + " rejected, " + std::to_string(f.ignored) + " ignored";
  if (f.expired || f.decayed) s += ", " + std::to_string(f.expired) + " expired, " + std::to_string(f.decayed) + " decayed";
  if (!f.last_error.empty()) s += "\n    error: " + f.last_error;
  for (size_t i = 0; i < f.rejects.size() && i < 3; ++i) s += "\n    rejected " + f.rejects[i].where + ": " + f.rejects[i].reason;
  if (f.rejected > 3) s += "\n    ... " + std::to_string(f.rejected - 3) + " more rejected (intel feed list --json shows 20)";
  return s;
}

nlohmann::ordered_json feed_json(const intel::FeedEntry& f) {
  nlohmann::ordered_json rejects = nlohmann::ordered_json::array();
  for (const auto& r : f.rejects) rejects.push_back({{"where", r.where}, {"reason", r.reason}});
  return {{"name", f.name},
          {"source", f.source},
          {"format", f.format ? std::string(intel::feed_format_name(*f.format)) : "auto"},
          {"confidence", f.confidence},
          {"auth", f.access.auth.substr(0, f.access.auth.find(':'))},
          {"added_at", f.added_at ? to_rfc3339(f.added_at) : ""},
          {"added_by", f.added_by},
          {"last_pull_at", f.last_pull_at ? to_rfc3339(f.last_pull_at) : ""},
          {"last_status", f.last_status},
          {"last_error", f.last_error},
          {"indicators", f.indicators},
          {"rejected", f.rejected},
          {"ignored", f.ignored},
          {"expired", f.expired},
          {"decayed", f.decayed},
          {"half_life_seconds", f.half_life},
          {"rejects", rejects}};
}

struct FeedCommand {
  CommonOptions common;
  IntelOptions intel;  // --warning-list / --org for pull
  intel::FeedEntry entry;
  std::string format;
  std::string half_life;
};

// Indicators of the campaigns analysts confirmed, read from the store.
Result<intel::LocalFeed> confirmed_campaigns(Runtime& rt, const Config& config) {
  auto analyzer = load_analyzer(config.smish.rules_dir, config.smish.organization, config.smish.model);
  if (!analyzer) return analyzer.error();
  smish::CampaignBook book(*rt.store, rt.keyring, cluster_params(config.smish.campaigns), *analyzer);
  return confirmed_campaign_feed(book);
}

// Opens the store and runs `fn` with a registry over it.
int with_registry(const CommonOptions& common, const std::function<int(Runtime&, intel::FeedRegistry&)>& fn) {
  auto config = effective_config(common);
  if (!config) return fail(config.error());
  auto rt = open_runtime(*config, true);
  if (!rt) return fail(rt.error());
  intel::FeedRegistry registry(*(*rt)->store, config->data_dir);
  return fn(**rt, registry);
}

void add_feed_commands(CLI::App& intel_cmd, int& rc) {
  auto* feed = intel_cmd.add_subcommand("feed", "Subscribed threat feeds: add, list, pull (fetch and compile), remove");
  feed->require_subcommand(1);

  auto add = std::make_shared<FeedCommand>();
  auto* add_cmd = feed->add_subcommand("add", "Subscribe to a feed (a file, a MISP feed directory or an http(s) URL)");
  add_cmd->add_option("NAME", add->entry.name, "feed name (a-z, 0-9, '-', '_')")->required();
  add_cmd->add_option("SOURCE", add->entry.source, "file path, file://, http:// or https:// URL")->required();
  add_cmd->add_option("--format", add->format,
                      "stix|misp|csv|urlhaus|list, or taxii for a TAXII 2.1 collection URL (default: detected at each pull)");
  add_cmd->add_option("--confidence", add->entry.confidence, "0-100, for indicators that carry none (default 50)");
  add_cmd->add_option("--auth", add->entry.access.auth,
                      "bearer:TOKEN_FILE or basic:USER:PASSWORD_FILE (secrets stay in the file; only its path is stored)");
  add_cmd->add_option("--ca-file", add->entry.access.ca_file, "CA bundle for a server with a private CA");
  add_cmd->add_option("--half-life", add->half_life,
                      "confidence halves this often (e.g. 30d) since an indicator's valid_from or last sighting (default: no decay)");
  add_common_options(*add_cmd, add->common);
  add_cmd->callback([add, &rc] {
    if (!add->format.empty()) {
      add->entry.format = intel::parse_feed_format(add->format);
      if (!add->entry.format)
        return void(rc = fail(make_error("usage", "unknown feed format '" + add->format +
                                                      "': use stix, misp, csv, urlhaus, list or taxii")));
    }
    if (!add->half_life.empty()) {
      auto d = parse_duration(add->half_life);
      if (!d) return void(rc = fail(d.error()));
      add->entry.half_life = d->count();
    }
    rc = with_registry(add->common, [&](Runtime& rt, intel::FeedRegistry& reg) {
      add->entry.added_by = local_actor();
      if (Status s = reg.add(add->entry); !s) return fail(s.error());
      if (Status a = record_local(rt, "admin.feed_added", add->entry.name, {{"source", add->entry.source}},
                                  [&] { return reg.remove(add->entry.name); });
          !a)
        return fail(a.error());
      std::cout << "added feed " << add->entry.name << "; run 'wardline intel feed pull' to fetch and compile it\n";
      return int(kOk);
    });
  });

  auto list = std::make_shared<CommonOptions>();
  auto* list_cmd = feed->add_subcommand("list", "Feeds with their last pull: counts, errors, rejects with reasons");
  add_common_options(*list_cmd, *list, true);
  list_cmd->callback([list, &rc] {
    rc = with_registry(*list, [&](Runtime&, intel::FeedRegistry& reg) {
      auto feeds = reg.list();
      if (!feeds) return fail(feeds.error());
      for (const auto& f : *feeds) std::cout << (list->json ? feed_json(f).dump() : feed_status_line(f)) << "\n";
      if (feeds->empty() && !list->json) std::cout << "no feeds; add one with 'wardline intel feed add NAME SOURCE'\n";
      return int(kOk);
    });
  });

  auto remove = std::make_shared<FeedCommand>();
  auto* remove_cmd = feed->add_subcommand("remove", "Unsubscribe from a feed (its indicators go at the next pull)");
  remove_cmd->add_option("NAME", remove->entry.name, "feed name")->required();
  add_common_options(*remove_cmd, remove->common);
  remove_cmd->callback([remove, &rc] {
    rc = with_registry(remove->common, [&](Runtime& rt, intel::FeedRegistry& reg) {
      if (Status s = reg.remove(remove->entry.name); !s) return fail(s.error());
      if (Status a = record_local(rt, "admin.feed_removed", remove->entry.name, {}, nullptr); !a) return fail(a.error());
      std::cout << "removed feed " << remove->entry.name << "\n";
      return int(kOk);
    });
  });

  auto discover = std::make_shared<FeedCommand>();
  auto* taxii_cmd = intel_cmd.add_subcommand("taxii", "TAXII 2.1 servers");
  taxii_cmd->require_subcommand(1);
  auto* discover_cmd = taxii_cmd->add_subcommand("discover", "List a TAXII 2.1 server's API roots and collections");
  discover_cmd->add_option("URL", discover->entry.source, "the discovery URL, e.g. https://taxii.example.org/taxii2/")->required();
  discover_cmd->add_option("--auth", discover->entry.access.auth, "bearer:TOKEN_FILE or basic:USER:PASSWORD_FILE");
  discover_cmd->add_option("--ca-file", discover->entry.access.ca_file, "CA bundle for a server with a private CA");
  discover_cmd->callback([discover, &rc] {
    if (Status s = intel::check_feed_access(discover->entry.access); !s) return void(rc = fail(s.error()));
    auto collections = intel::taxii_collections(discover->entry.source, discover->entry.access);
    if (!collections) return void(rc = fail(collections.error()));
    for (const auto& c : *collections)
      std::cout << c.url << "  " << c.title << (c.can_read ? "" : "  (not readable with these credentials)") << "\n";
    if (collections->empty()) std::cout << "no collections\n";
    rc = kOk;
  });

  auto pull = std::make_shared<FeedCommand>();
  auto* pull_cmd = feed->add_subcommand("pull", "Fetch every feed (conditional GET), compile them into one indicator set");
  add_common_options(*pull_cmd, pull->common);
  pull_cmd->add_option("--warning-list", pull->intel.warning_lists, "Files of domains that must never alert");
  pull_cmd->add_option("--org", pull->intel.org, "Organization profile whose domains never alert");
  pull_cmd->callback([pull, &rc] {
    auto config = effective_config(pull->common);
    if (!config) return void(rc = fail(config.error()));
    auto warning = warning_list(pull->intel, *config);
    if (!warning) return void(rc = fail(warning.error()));
    rc = with_registry(pull->common, [&](Runtime& rt, intel::FeedRegistry& reg) {
      auto campaigns = confirmed_campaigns(rt, *config);
      if (!campaigns) return fail(campaigns.error());
      auto previous = intel::load_snapshot(reg.snapshot_path());
      auto result = reg.pull(*warning, {*campaigns}, rt.config.intel.min_confidence);
      if (!result) return fail(result.error());
      if (auto next = intel::load_snapshot(reg.snapshot_path())) {
        auto found = retro_hunt(*rt.store, rt.config, **next, previous ? previous->get() : nullptr, [&](const intel::Alert& a) {
          siem::SecurityEvent hit;
          api::describe_intel_hit(hit, a);
          return record_local(rt, "intel.hit", a.indicator, hit.details, nullptr);
        });
        if (!found) return fail(found.error());
        if (*found) std::cout << "retro-hunt: " << *found << " new alert(s) on traffic seen in the last "
                              << rt.config.intel.retro_hunt_days << " days\n";
      }
      size_t failed = 0;
      for (const auto& f : result->feeds) {
        std::cout << feed_status_line(f) << "\n";
        failed += f.last_status == "error";
      }
      std::cout << "compiled " << result->indicators << " indicators (" << (result->memory_bytes + 1023) / 1024 << " KiB, "
                << result->warninglisted << " on the warning list) into " << reg.snapshot_path() << "\n";
      if (Status a = record_local(rt, "admin.feed_pulled", "intel",
                                  {{"feeds", std::to_string(result->feeds.size())},
                                   {"failed", std::to_string(failed)},
                                   {"indicators", std::to_string(result->indicators)}},
                                  nullptr);
          !a)
        return fail(a.error());
      return failed ? int(kFailure) : int(kOk);
    });
  });
}

}  // namespace

void add_intel_commands(CLI::App& app, int& rc) {
  auto* intel_cmd = app.add_subcommand("intel", "Threat intelligence: match feeds against logs, export block lists");
  intel_cmd->require_subcommand(1);
  add_feed_commands(*intel_cmd, rc);

  static CommonOptions common;
  static IntelOptions opts;
  static std::string format;
  static std::vector<std::string> inputs;
  auto* scan_cmd = intel_cmd->add_subcommand(
      "scan", "Match logs (Zeek, Squid, Suricata EVE, CEF, ECS JSON lines) against feeds: one JSON line per hit on stdout");
  add_common_options(*scan_cmd, common);
  add_feed_options(*scan_cmd, opts);
  scan_cmd->add_option("--format", format, "Log format: zeek|squid|eve|cef|ecs (default: detected from the first line)");
  static unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  scan_cmd->add_option("--threads", threads, "Threads per log file (default: one per core; Zeek logs use one)")
      ->check(CLI::Range(1u, 256u));
  scan_cmd->add_option("files", inputs, "Log files; '-' reads standard input")->required();
  scan_cmd->callback([&rc] { rc = scan(opts, format, threads, inputs, common); });

  static std::string export_format, output;
  static intel::ExportOptions export_options;
  auto* export_cmd = intel_cmd->add_subcommand("export", "Write the feeds as a block list: DNS RPZ, STIX 2.1, domains, Squid ACL");
  add_common_options(*export_cmd, common);
  add_feed_options(*export_cmd, opts);
  export_cmd->add_option("--format", export_format, "rpz|stix|domains|squid-acl")->required();
  export_cmd->add_option("--zone", export_options.zone, "RPZ zone name (for the comments and size limits)");
  export_cmd->add_option("--identity", export_options.identity, "STIX identity that creates the bundle");
  export_cmd->add_option("--output,-o", output, "Output file (default: standard output)");
  export_cmd->callback([&rc] { rc = export_feeds(opts, export_format, export_options, output, common); });
}

}  // namespace wardline::cli
