// The tamper-evident audit log: every security event appended to an
// RFC 6962 Merkle ledger in the Store, signed tree heads (Ed25519), proofs,
// search and full verification. The on-disk format is in
// docs/audit-log-format.md. Merkle primitives are in merkle.h.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle.h"
#include "audit/sth.h"
#include "siem/siem.h"

namespace wardline {
namespace store { class Store; }

namespace audit {

struct AuditOptions {
  uint64_t sth_every_entries = 1000;  // a new signed tree head after this many entries...
  int sth_every_seconds = 60;         // ...or this long after the last one, whichever comes first
  size_t max_batch = 8192;            // events per group commit
};

struct AuditEntry {
  uint64_t seq = 0;
  std::string data;  // the leaf: canonical JSON
  siem::SecurityEvent event;
};

struct SearchFilter {
  std::string type;     // exact, or a prefix ending in '*' ("admin.*")
  std::string actor;
  std::string subject;
  std::string since;    // RFC 3339, inclusive
  std::string until;    // RFC 3339, exclusive
};

struct EntryPage {
  std::vector<AuditEntry> entries;  // newest first
  std::string next_cursor;
};

struct VerifyReport {
  bool ok = true;
  uint64_t entries = 0;
  uint64_t tree_heads = 0;
  std::optional<uint64_t> first_bad_index;
  std::string problem;  // empty when ok
};

// A sealed archive of entries [first_index, end_index): zstd-compressed JSON
// lines with the tree edge before first_index and a signed tree head at
// end_index, so it verifies on its own (docs/audit-log-format.md).
struct ArchiveInfo {
  uint64_t first_index = 0;
  uint64_t end_index = 0;
  SignedTreeHead sth;
  std::string public_key_pem;
  std::string sha256;  // of the archive file
};

// Checks an archive without any database: every leaf, the edge, the tree
// head's root and signature. With `trusted_public_key_pem` empty the key
// inside the archive is used (and only proves self-consistency).
Result<ArchiveInfo> verify_archive_file(const std::string& path, const std::string& trusted_public_key_pem);
Result<ArchiveInfo> verify_archive_bytes(std::string_view compressed, const std::string& trusted_public_key_pem);

// Anything that records security events durably (the daemon's actions use this).
class Recorder {
 public:
  virtual ~Recorder() = default;
  // Returns the entry's index once it is durable; an error means "not recorded".
  virtual Result<uint64_t> record(siem::SecurityEvent e) = 0;
};

class AuditLog : public Recorder {
 public:
  // `bus` (optional) receives each recorded event and each new tree head.
  static Result<std::unique_ptr<AuditLog>> open(store::Store& store, const std::string& signing_key_path,
                                                AuditOptions options = {}, siem::EventBus* bus = nullptr);
  ~AuditLog() override;

  Result<uint64_t> record(siem::SecurityEvent e) override;
  // Records several events in one group commit; returns the first index
  // (the others follow consecutively). All or none are recorded.
  Result<uint64_t> record_batch(std::vector<siem::SecurityEvent> events);
  // Entries committed by this or any other daemon sharing the store.
  Result<uint64_t> size();
  Result<SignedTreeHead> latest_sth();      // newest stored tree head
  Result<SignedTreeHead> sign_tree_head();  // signs the current tree now
  Result<Hash> root_at(uint64_t size);
  Result<std::vector<Hash>> inclusion_proof(uint64_t index, uint64_t size);
  Result<std::vector<Hash>> consistency_proof(uint64_t first, uint64_t second);
  // The same with everything a verifier needs beside the proof, as the JSON
  // the CLI prints and the API returns:
  //   {"index","tree_size","leaf_hash","root_hash","proof"} (size 0: the current size)
  //   {"from","to","first_root","second_root","proof"}
  Result<std::string> inclusion_proof_json(uint64_t index, uint64_t size);
  Result<std::string> consistency_proof_json(uint64_t first, uint64_t second);
  Result<AuditEntry> entry(uint64_t seq);
  // Stored tree heads, newest first; the cursor is the last tree size seen.
  struct TreeHeadPage {
    std::vector<SignedTreeHead> heads;
    std::string next_cursor;
  };
  Result<TreeHeadPage> tree_heads(const std::string& cursor, int limit);
  // How many entries of each type were recorded per UTC day from `since_day`
  // ("YYYY-MM-DD") on: {day, type, count} for the days and types that have any.
  struct DailyCount {
    std::string day, type;
    int64_t count = 0;
  };
  Result<std::vector<DailyCount>> daily_counts(const std::string& since_day, const std::vector<std::string>& types);
  Result<EntryPage> search(const SearchFilter& filter, const std::string& cursor, int limit);
  // Entries of the given types (exact names) from index `from` on, oldest
  // first: for consumers that follow the log, such as incident grouping.
  Result<std::vector<AuditEntry>> follow(uint64_t from, const std::vector<std::string>& types, int limit);
  // Recomputes every leaf, subtree and tree head from the stored entries.
  Result<VerifyReport> verify(const std::function<void(uint64_t done, uint64_t total)>& progress = {});
  std::string public_key_pem() const;

  // Retention. Entries before purged_before() have been archived and removed.
  Result<uint64_t> purged_before();
  // Writes entries [purged_before(), end_index) to `path`; end_index must be
  // a multiple of 16. Recorded in the log as admin.audit_archived.
  Result<ArchiveInfo> export_archive(uint64_t end_index, const std::string& path, const std::string& actor);
  // Removes entries [purged_before(), end_index) once they are archived and
  // all older than `retention`. Returns how many were removed.
  Result<uint64_t> purge(uint64_t end_index, std::chrono::seconds retention, const std::string& actor);
  // Puts back the entries of the most recent purge from its archive.
  Result<uint64_t> import_archive(const std::string& path, const std::string& actor);

  // Commits what is queued and stops the committer. Idempotent.
  void shutdown();

 private:
  AuditLog() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace audit
}  // namespace wardline
