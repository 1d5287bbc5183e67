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

#include "cli/context.h"
#include "cli/resources.h"
#include "core/time.h"
#include "intel/intel.h"
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
                 "Feed files (STIX 2.1 bundle, MISP event, CSV, URLhaus CSV, plain list) or MISP feed directories")
      ->required()
      ->delimiter(',');
  cmd.add_option("--feed-format", o.feed_format, "Format of every feed: stix|misp|csv|urlhaus|list (default: detected)");
  cmd.add_option("--warning-list", o.warning_lists,
                 "Files of domains that must never alert (one per line); the organization's own domains always are");
  cmd.add_option("--org", o.org, "Organization profile (default: smish.organization from the configuration)");
  cmd.add_flag("--quiet,-q", o.quiet, "Print only errors on stderr");
}

Result<intel::WarningList> warning_list(const IntelOptions& o, const Config& config) {
  intel::WarningList list;
  std::string org_path = !o.org.empty() ? o.org
                         : !config.smish.organization.empty() ? config.smish.organization
                                                              : resource_path("examples/organization.yaml");
  auto org = smish::load_organization(org_path);
  if (!org) return org.error();
  list.domains = org->domains;
  for (const auto& path : o.warning_lists) {
    std::ifstream in(path);
    if (!in) return make_error("unreadable", "cannot read warning list '" + path + "'");
    std::string line;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find('#'));
      size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
      if (b != std::string::npos) list.domains.push_back(line.substr(b, e - b + 1));
    }
  }
  return list;
}

Result<std::shared_ptr<const intel::IndicatorSet>> load_feeds(const IntelOptions& o, const Config& config) {
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

}  // namespace

void add_intel_commands(CLI::App& app, int& rc) {
  auto* intel_cmd = app.add_subcommand("intel", "Threat intelligence: match feeds against logs, export block lists");
  intel_cmd->require_subcommand(1);

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
