#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "audit/ledger_impl.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/time.h"

namespace wardline::audit {

using namespace detail;

Result<std::unique_ptr<AuditLog>> AuditLog::open(store::Store& store, const std::string& signing_key_path,
                                                 AuditOptions options, siem::EventBus* bus) {
  auto key = SigningKey::open_or_create(signing_key_path);
  if (!key) return key.error();
  auto log = std::unique_ptr<AuditLog>(new AuditLog());
  log->impl_ = std::make_unique<Impl>(store, *key, options, bus);
  if (Status s = log->impl_->load(); !s) return s.error();
  return log;
}

AuditLog::~AuditLog() { shutdown(); }

void AuditLog::shutdown() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->committer.joinable()) impl_->committer.join();
}

Result<uint64_t> AuditLog::record(siem::SecurityEvent e) {
  std::vector<siem::SecurityEvent> one;
  one.push_back(std::move(e));
  return record_batch(std::move(one));
}

Result<uint64_t> AuditLog::record_batch(std::vector<siem::SecurityEvent> events) {
  if (events.empty()) return make_error("invalid_event", "no events to record");
  Pending p;
  p.leaves.reserve(events.size());
  for (auto& e : events) {
    if (e.id.empty()) e.id = new_id("evt");
    if (e.time.empty()) e.time = now_rfc3339();
    if (Status s = validate_event(e); !s) return s.error();
    p.leaves.push_back(prepare_leaf(e));  // canonical JSON off the commit path
  }
  p.events = std::move(events);
  auto done = p.done.get_future();
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return make_error("audit_unavailable", "the audit log is shutting down");
    if (!impl_->committer.joinable()) impl_->committer = std::thread([this] { impl_->run(); });
    impl_->queue.push_back(&p);
  }
  impl_->cv.notify_one();
  return done.get();
}

Result<uint64_t> AuditLog::size() {
  if (Status s = impl_->refresh(); !s) return s.error();
  std::shared_lock lock(impl_->tree_mu);
  return impl_->tree.size();
}

Result<SignedTreeHead> AuditLog::sign_tree_head() {
  if (Status s = impl_->refresh(); !s) return s.error();
  return impl_->sign_now();
}

Result<SignedTreeHead> AuditLog::latest_sth() {
  auto rows = impl_->store.query(std::string("SELECT ") + kSthColumns + " FROM audit_sth ORDER BY tree_size DESC LIMIT 1");
  if (!rows) return rows.error();
  if (rows->empty()) return sign_tree_head();
  return sth_from_row(rows->front());
}

Result<AuditLog::TreeHeadPage> AuditLog::tree_heads(const std::string& cursor, int limit) {
  int64_t below = INT64_MAX;
  if (!cursor.empty()) {
    if (cursor.size() > 19 || cursor.find_first_not_of("0123456789") != std::string::npos)
      return make_error("invalid_cursor", "'cursor' must be the next_cursor of a previous page", "cursor");
    below = std::stoll(cursor);
  }
  auto rows = impl_->store.query(std::string("SELECT ") + kSthColumns +
                                     " FROM audit_sth WHERE tree_size < ? ORDER BY tree_size DESC LIMIT ?",
                                 {below, int64_t{limit} + 1});
  if (!rows) return rows.error();
  TreeHeadPage page;
  for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
    auto sth = sth_from_row((*rows)[i]);
    if (!sth) return sth.error();
    page.heads.push_back(std::move(*sth));
  }
  if (rows->size() > static_cast<size_t>(limit)) page.next_cursor = std::to_string(page.heads.back().tree_size);
  return page;
}

Result<std::vector<AuditLog::DailyCount>> AuditLog::daily_counts(const std::string& since_day,
                                                                 const std::vector<std::string>& types) {
  std::vector<DailyCount> out;
  // Entries are in time order: the first index of the period bounds a range
  // scan of the (type, seq) index, instead of every entry of the type.
  auto first = impl_->store.query("SELECT MIN(seq) FROM audit_log WHERE time >= ?", {since_day});
  if (!first) return first.error();
  if (first->empty() || first->front().is_null(0)) return out;
  int64_t from = first->front().integer(0);
  for (const auto& type : types) {
    auto rows = impl_->store.query(
        "SELECT substr(time, 1, 10), COUNT(*) FROM audit_log WHERE type = ? AND seq >= ? GROUP BY substr(time, 1, 10)",
        {type, from});
    if (!rows) return rows.error();
    for (const auto& r : *rows) out.push_back({r.text(0), type, r.integer(1)});
  }
  return out;
}

Result<Hash> AuditLog::root_at(uint64_t size) {
  if (Status s = impl_->refresh(); !s) return s.error();
  std::shared_lock lock(impl_->tree_mu);
  if (size > impl_->tree.size())
    return make_error("invalid_size", "tree size " + std::to_string(size) + " is beyond the log's " +
                                          std::to_string(impl_->tree.size()) + " entries", "size");
  return root(impl_->tree, size);
}

Result<std::vector<Hash>> AuditLog::inclusion_proof(uint64_t index, uint64_t size) {
  if (Status s = impl_->refresh(); !s) return s.error();
  if (index < impl_->purged)
    return make_error("not_found", "entry " + std::to_string(index) + " was archived and purged from the live log; "
                                       "prove it from its archive", "index");
  std::shared_lock lock(impl_->tree_mu);
  if (size > impl_->tree.size())
    return make_error("invalid_size", "tree size " + std::to_string(size) + " is beyond the log's " +
                                          std::to_string(impl_->tree.size()) + " entries", "size");
  return audit::inclusion_proof(impl_->tree, index, size);
}

Result<std::vector<Hash>> AuditLog::consistency_proof(uint64_t first, uint64_t second) {
  if (Status s = impl_->refresh(); !s) return s.error();
  std::shared_lock lock(impl_->tree_mu);
  if (second > impl_->tree.size())
    return make_error("invalid_size", "tree size " + std::to_string(second) + " is beyond the log's " +
                                          std::to_string(impl_->tree.size()) + " entries", "to");
  if (first == 0) return make_error("invalid_size", "a consistency proof needs a first tree size of at least 1", "from");
  return audit::consistency_proof(impl_->tree, first, second);
}

Result<std::string> AuditLog::inclusion_proof_json(uint64_t index, uint64_t size) {
  if (size == 0) {
    auto now = this->size();
    if (!now) return now.error();
    size = *now;
  }
  auto proof = inclusion_proof(index, size);
  if (!proof) return proof.error();
  auto e = entry(index);
  if (!e) return e.error();
  auto root = root_at(size);
  if (!root) return root.error();
  return nlohmann::json{{"index", index}, {"tree_size", size}, {"leaf_hash", to_hex(leaf_hash(e->data))},
                        {"root_hash", to_hex(*root)}, {"proof", to_hex(*proof)}}
      .dump();
}

Result<std::string> AuditLog::consistency_proof_json(uint64_t first, uint64_t second) {
  auto proof = consistency_proof(first, second);
  if (!proof) return proof.error();
  auto first_root = root_at(first);
  if (!first_root) return first_root.error();
  auto second_root = root_at(second);
  if (!second_root) return second_root.error();
  return nlohmann::json{{"from", first}, {"to", second}, {"first_root", to_hex(*first_root)},
                        {"second_root", to_hex(*second_root)}, {"proof", to_hex(*proof)}}
      .dump();
}

Result<AuditEntry> AuditLog::entry(uint64_t seq) {
  auto rows = impl_->store.query("SELECT data FROM audit_log WHERE seq = ?", {static_cast<int64_t>(seq)});
  if (!rows) return rows.error();
  if (rows->empty()) return make_error("not_found", "no audit entry " + std::to_string(seq), "index");
  auto e = event_from_leaf(rows->front().text(0));
  if (!e) return e.error();
  return AuditEntry{seq, rows->front().text(0), *e};
}

Result<std::vector<AuditEntry>> AuditLog::follow(uint64_t from, const std::vector<std::string>& types, int limit) {
  std::string sql = "SELECT seq, data FROM audit_log WHERE seq >= ?";
  store::Params params{static_cast<int64_t>(from)};
  if (!types.empty()) {
    sql += " AND type IN (";
    for (size_t i = 0; i < types.size(); ++i) sql += i ? ", ?" : "?", params.push_back(types[i]);
    sql += ")";
  }
  sql += " ORDER BY seq LIMIT ?";
  params.push_back(int64_t{limit});
  auto rows = impl_->store.query(sql, params);
  if (!rows) return rows.error();
  std::vector<AuditEntry> out;
  for (const auto& row : *rows) {
    auto e = event_from_leaf(row.text(1));
    if (!e) return e.error();
    out.push_back({static_cast<uint64_t>(row.integer(0)), row.text(1), std::move(*e)});
  }
  return out;
}

Result<EntryPage> AuditLog::search(const SearchFilter& f, const std::string& cursor, int limit) {
  std::string sql = "SELECT seq, data FROM audit_log WHERE 1 = 1";
  store::Params params;
  if (!f.type.empty()) {
    if (f.type.back() == '*') {
      std::string prefix = f.type.substr(0, f.type.size() - 1);
      sql += " AND substr(type, 1, " + std::to_string(prefix.size()) + ") = ?";
      params.push_back(prefix);
    } else {
      sql += " AND type = ?";
      params.push_back(f.type);
    }
  }
  auto eq = [&](const char* col, const std::string& v) {
    if (v.empty()) return;
    sql += std::string(" AND ") + col + " = ?";
    params.push_back(v);
  };
  eq("actor", f.actor);
  eq("subject", f.subject);
  if (!f.since.empty()) sql += " AND time >= ?", params.push_back(f.since);
  if (!f.until.empty()) sql += " AND time < ?", params.push_back(f.until);
  if (!cursor.empty()) {
    if (cursor.find_first_not_of("0123456789") != std::string::npos || cursor.size() > 18)
      return make_error("invalid_cursor", "cursor must be the next_cursor of a previous page", "cursor");
    sql += " AND seq < ?";
    params.push_back(static_cast<int64_t>(std::stoll(cursor)));
  }
  limit = std::clamp(limit, 1, 1000);
  sql += " ORDER BY seq DESC LIMIT " + std::to_string(limit + 1);
  auto rows = impl_->store.query(sql, params);
  if (!rows) return rows.error();
  EntryPage page;
  for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
    auto e = event_from_leaf((*rows)[i].text(1));
    if (!e) return e.error();
    page.entries.push_back({static_cast<uint64_t>((*rows)[i].integer(0)), (*rows)[i].text(1), *e});
  }
  if (rows->size() > static_cast<size_t>(limit)) page.next_cursor = std::to_string(page.entries.back().seq);
  return page;
}

std::string AuditLog::public_key_pem() const { return impl_->key->public_key_pem(); }

}  // namespace wardline::audit
