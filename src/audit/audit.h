// The tamper-evident audit log: every security event appended to an
// RFC 6962 Merkle ledger in the Store, signed tree heads (Ed25519), proofs,
// search and full verification. The on-disk format is in
// docs/audit-log-format.md. Merkle primitives are in merkle.h.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
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
  // Entries committed by this or any other daemon sharing the store.
  Result<uint64_t> size();
  Result<SignedTreeHead> latest_sth();      // newest stored tree head
  Result<SignedTreeHead> sign_tree_head();  // signs the current tree now
  Result<Hash> root_at(uint64_t size);
  Result<std::vector<Hash>> inclusion_proof(uint64_t index, uint64_t size);
  Result<std::vector<Hash>> consistency_proof(uint64_t first, uint64_t second);
  Result<AuditEntry> entry(uint64_t seq);
  Result<EntryPage> search(const SearchFilter& filter, const std::string& cursor, int limit);
  // Recomputes every leaf, subtree and tree head from the stored entries.
  Result<VerifyReport> verify(const std::function<void(uint64_t done, uint64_t total)>& progress = {});
  std::string public_key_pem() const;
  // Commits what is queued and stops the committer. Idempotent.
  void shutdown();

 private:
  AuditLog() = default;
  store::Store& backing_store();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace audit
}  // namespace wardline
