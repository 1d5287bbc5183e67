// wardline audit sth|pubkey|prove|consistency|verify|search
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "cli/context.h"
#include "cli/progress.h"

namespace wardline::cli {
namespace {

// Opens the runtime for a read-mostly audit command.
Result<std::unique_ptr<Runtime>> open_for_audit(const CommonOptions& opts) {
  auto c = effective_config(opts);
  if (!c) return c.error();
  return open_runtime(*c, true);
}

struct AuditOptions {
  CommonOptions common;
  uint64_t index = 0, size = 0, from = 0, to = 0;
  bool size_given = false;
  audit::SearchFilter filter;
  std::string cursor;
  int limit = 50;
};

int print_sth(const AuditOptions& o) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  auto sth = (*rt)->audit->latest_sth();
  if (!sth) return fail(sth.error());
  std::cout << audit::sth_to_json(*sth) << "\n";
  return kOk;
}

int print_pubkey(const AuditOptions& o) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  std::cout << (*rt)->audit->public_key_pem();
  return kOk;
}

int prove(const AuditOptions& o) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  if (o.size_given && o.size == 0) return fail(make_error("invalid_size", "--size must be at least 1"));
  auto json = (*rt)->audit->inclusion_proof_json(o.index, o.size_given ? o.size : 0);
  if (!json) return fail(json.error());
  std::cout << *json << "\n";
  return kOk;
}

int consistency(const AuditOptions& o) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  auto json = (*rt)->audit->consistency_proof_json(o.from, o.to);
  if (!json) return fail(json.error());
  std::cout << *json << "\n";
  return kOk;
}

int verify(const AuditOptions& o) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  std::optional<Progress> progress;
  uint64_t shown = 0;
  auto report = (*rt)->audit->verify([&](uint64_t done, uint64_t total) {
    if (!progress) progress.emplace("verifying audit log", total);
    progress->advance(done - shown);
    shown = done;
  });
  if (progress) progress->finish();
  if (!report) return fail(report.error());
  if (o.common.json) {
    nlohmann::json j{{"ok", report->ok}, {"entries", report->entries}, {"tree_heads", report->tree_heads}};
    if (!report->ok) j["first_bad_index"] = *report->first_bad_index, j["problem"] = report->problem;
    std::cout << j.dump() << "\n";
  } else if (report->ok) {
    std::cout << "OK: " << report->entries << " entries and " << report->tree_heads << " signed tree heads verified\n";
  } else {
    std::cout << "FAILED at index " << *report->first_bad_index << ": " << report->problem << "\n";
  }
  return report->ok ? kOk : kFailure;
}

int search(const AuditOptions& o) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  auto page = (*rt)->audit->search(o.filter, o.cursor, o.limit);
  if (!page) return fail(page.error());
  for (const auto& e : page->entries) {
    if (o.common.json) {
      std::cout << nlohmann::json{{"index", e.seq}, {"event", nlohmann::json::parse(e.data)}}.dump() << "\n";
    } else {
      std::cout << e.seq << "\t" << e.event.time << "\t" << e.event.type << "\t" << e.event.outcome << "\t"
                << e.event.actor << "\t" << e.event.subject << "\n";
    }
  }
  if (!page->next_cursor.empty()) std::cerr << "more: --cursor " << page->next_cursor << "\n";
  return kOk;
}

int archive_export(const AuditOptions& o, const std::string& out) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  auto info = (*rt)->audit->export_archive(o.to, out, local_actor());
  if (!info) return fail(info.error());
  std::cout << "archived entries " << info->first_index << ".." << info->end_index - 1 << " to " << out
            << " (sha256 " << info->sha256 << ")\n";
  return kOk;
}

int archive_verify(const std::string& file, const std::string& pubkey_file) {
  std::string key;
  if (!pubkey_file.empty()) {
    std::ifstream in(pubkey_file);
    if (!in) return fail(make_error("unreadable", "cannot read public key '" + pubkey_file + "'"));
    key.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto info = audit::verify_archive_file(file, key);
  if (!info) {
    std::cout << "INVALID: " << info.error().message << "\n";
    return kFailure;
  }
  std::cout << "OK: entries " << info->first_index << ".." << info->end_index - 1 << ", signed tree head at size "
            << info->sth.tree_size << (key.empty() ? " (checked with the key inside the archive; pass --pubkey to check against a trusted key)" : "")
            << "\n";
  return kOk;
}

int archive_import(const AuditOptions& o, const std::string& file) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  auto n = (*rt)->audit->import_archive(file, local_actor());
  if (!n) return fail(n.error());
  std::cout << "restored " << *n << " entries from " << file << "\n";
  return kOk;
}

int purge(const AuditOptions& o) {
  auto rt = open_for_audit(o.common);
  if (!rt) return fail(rt.error());
  auto n = (*rt)->audit->purge(o.to, (*rt)->config.audit.retention, local_actor());
  if (!n) return fail(n.error());
  std::cout << "purged " << *n << " archived entries before index " << o.to << "\n";
  return kOk;
}

}  // namespace

void add_audit_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("audit", "The tamper-evident audit log: tree heads, proofs, verification, search");
  group->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();

  auto* sth = group->add_subcommand("sth", "Print the latest signed tree head (JSON)");
  add_common_options(*sth, o->common);
  sth->callback([o, &rc] { rc = print_sth(*o); });

  auto* pubkey = group->add_subcommand("pubkey", "Print the public key that signs tree heads (PEM)");
  add_common_options(*pubkey, o->common);
  pubkey->callback([o, &rc] { rc = print_pubkey(*o); });

  auto* prove_cmd = group->add_subcommand("prove", "Print the inclusion proof of entry --index (JSON)");
  prove_cmd->add_option("--index", o->index, "0-based entry index")->required();
  auto* size_opt = prove_cmd->add_option("--size", o->size, "tree size (default: the current size)");
  add_common_options(*prove_cmd, o->common);
  prove_cmd->callback([o, size_opt, &rc] {
    o->size_given = size_opt->count() > 0;
    rc = prove(*o);
  });

  auto* cons = group->add_subcommand("consistency", "Print the consistency proof between two tree sizes (JSON)");
  cons->add_option("--from", o->from, "earlier tree size")->required();
  cons->add_option("--to", o->to, "later tree size")->required();
  add_common_options(*cons, o->common);
  cons->callback([o, &rc] { rc = consistency(*o); });

  auto* ver = group->add_subcommand("verify", "Recompute every entry, subtree and signed tree head; exit 1 on a mismatch");
  add_common_options(*ver, o->common, true);
  ver->callback([o, &rc] { rc = verify(*o); });

  auto* find = group->add_subcommand("search", "Search audit entries, newest first");
  find->add_option("--type", o->filter.type, "event type, or a prefix with '*' (admin.*)");
  find->add_option("--actor", o->filter.actor, "who acted");
  find->add_option("--subject", o->filter.subject, "what it was done to");
  find->add_option("--since", o->filter.since, "RFC 3339 time, inclusive");
  find->add_option("--until", o->filter.until, "RFC 3339 time, exclusive");
  find->add_option("--limit", o->limit, "entries per page (1-1000, default 50)");
  find->add_option("--cursor", o->cursor, "continue after a previous page");
  add_common_options(*find, o->common, true);
  find->callback([o, &rc] { rc = search(*o); });

  auto* archive = group->add_subcommand("archive", "Sealed archives of old entries (zstd JSON lines + signed tree head)");
  archive->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto trusted_key = std::make_shared<std::string>();
  auto* exp = archive->add_subcommand("export", "Write entries from the last purge up to --end-index to --out");
  exp->add_option("--end-index", o->to, "first entry NOT archived; a multiple of 16")->required();
  exp->add_option("--out", *file, "archive file to write (.jsonl.zst)")->required();
  add_common_options(*exp, o->common);
  exp->callback([o, file, &rc] { rc = archive_export(*o, *file); });
  auto* ver_arch = archive->add_subcommand("verify", "Check an archive without any database (exit 0 valid, 1 invalid)");
  ver_arch->add_option("FILE", *file, "archive file")->required();
  ver_arch->add_option("--pubkey", *trusted_key, "trusted public key (PEM, from 'wardline audit pubkey')");
  ver_arch->callback([file, trusted_key, &rc] { rc = archive_verify(*file, *trusted_key); });
  auto* imp = archive->add_subcommand("import", "Put back the entries of the most recent purge from its archive");
  imp->add_option("FILE", *file, "archive file")->required();
  add_common_options(*imp, o->common);
  imp->callback([o, file, &rc] { rc = archive_import(*o, *file); });

  auto* purge_cmd = group->add_subcommand("purge", "Remove archived entries older than audit.retention (default 6y)");
  purge_cmd->add_option("--end-index", o->to, "remove entries before this index (must match an exported archive)")->required();
  add_common_options(*purge_cmd, o->common);
  purge_cmd->callback([o, &rc] { rc = purge(*o); });
}

}  // namespace wardline::cli
