#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "audit/audit.h"
#include "audit/leaf.h"
#include "audit/tree_state.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/time.h"
#include "store/store.h"

namespace wardline::audit {
namespace {

using namespace std::chrono;

struct Pending {
  PreparedLeaf leaf;
  siem::SecurityEvent event;
  std::promise<Result<uint64_t>> done;
};

constexpr size_t kRowsPerInsert = 400;  // 9 parameters each: well under SQLite's and PostgreSQL's limits

uint64_t now_ms() { return static_cast<uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()); }

std::string insert_sql(const char* head, size_t rows, size_t cols) {
  std::string tuple = "(";
  for (size_t c = 0; c < cols; ++c) tuple += c ? ",?" : "?";
  tuple += ")";
  std::string sql = head;
  for (size_t r = 0; r < rows; ++r) sql += (r ? "," : " VALUES ") + tuple;
  return sql;
}

// Runs one multi-row INSERT per chunk of rows.
Status insert_rows(store::Executor& tx, const char* head, size_t cols, const store::Params& all) {
  size_t total = all.size() / cols;
  for (size_t start = 0; start < total; start += kRowsPerInsert) {
    size_t n = std::min(kRowsPerInsert, total - start);
    store::Params chunk(all.begin() + static_cast<long>(start * cols), all.begin() + static_cast<long>((start + n) * cols));
    auto r = tx.execute(insert_sql(head, n, cols), chunk);
    if (!r) return r.error();
  }
  return {};
}

}  // namespace

struct AuditLog::Impl {
  store::Store& store;
  std::shared_ptr<SigningKey> key;
  AuditOptions options;
  siem::EventBus* bus;
  std::string writer_id = new_id("wr");

  std::shared_mutex tree_mu;
  TreeState tree;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Pending*> queue;
  bool stopping = false;
  std::thread committer;

  uint64_t last_sth_size = 0;
  steady_clock::time_point last_sth_time = steady_clock::now();

  Impl(store::Store& s, std::shared_ptr<SigningKey> k, AuditOptions o, siem::EventBus* b)
      : store(s), key(std::move(k)), options(o), bus(b), tree(s) {}

  Status load() {
    auto head = store.query("SELECT tree_size FROM audit_head WHERE id = 1");
    if (!head) return head.error();
    if (head->empty()) return make_error("audit_corrupt", "audit_head row is missing; run 'wardline db migrate'");
    uint64_t size = static_cast<uint64_t>(head->front().integer(0));
    auto subtrees = store.query("SELECT level, idx, hash FROM audit_subtrees ORDER BY level, idx");
    if (!subtrees) return subtrees.error();
    for (const auto& r : *subtrees) {
      auto h = hash_from_hex(r.text(2));
      if (!h) return make_error("audit_corrupt", "stored subtree hash is not hex");
      if (Status s = tree.load_subtree(static_cast<int>(r.integer(0)), static_cast<uint64_t>(r.integer(1)), *h); !s) return s;
    }
    std::vector<Hash> tail;
    auto rows = store.query("SELECT leaf_hash FROM audit_log WHERE seq >= ? AND seq < ? ORDER BY seq",
                            {static_cast<int64_t>(size - size % kBlock), static_cast<int64_t>(size)});
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
      auto h = hash_from_hex(r.text(0));
      if (!h) return make_error("audit_corrupt", "stored leaf hash is not hex");
      tail.push_back(*h);
    }
    if (Status s = tree.set_loaded(size, std::move(tail)); !s) return s;
    auto sth = store.query("SELECT MAX(tree_size) FROM audit_sth");
    if (!sth) return sth.error();
    last_sth_size = sth->empty() ? 0 : static_cast<uint64_t>(sth->front().integer(0));
    return {};
  }

  // Brings the in-memory tree up to `head` entries written by other daemons.
  // The tree lock must be held exclusively.
  Status catch_up(store::Executor& reader, uint64_t head) {
    if (head < tree.size())
      return make_error("audit_corrupt", "the stored audit log has " + std::to_string(head) + " entries, fewer than the " +
                                             std::to_string(tree.size()) + " this daemon has seen");
    while (tree.size() < head) {
      auto rows = reader.query("SELECT seq, leaf_hash FROM audit_log WHERE seq >= ? AND seq < ? ORDER BY seq",
                               {static_cast<int64_t>(tree.size()), static_cast<int64_t>(std::min(head, tree.size() + 50000))});
      if (!rows) return rows.error();
      if (rows->empty()) return make_error("audit_corrupt", "audit entry " + std::to_string(tree.size()) + " is missing");
      for (const auto& r : *rows) {
        auto h = hash_from_hex(r.text(1));
        if (static_cast<uint64_t>(r.integer(0)) != tree.size() || !h)
          return make_error("audit_corrupt", "audit entry " + std::to_string(tree.size()) + " is missing or damaged");
        tree.append(*h, nullptr);
      }
    }
    return {};
  }

  Status refresh() {
    auto head = store.query("SELECT tree_size FROM audit_head WHERE id = 1");
    if (!head) return head.error();
    uint64_t n = static_cast<uint64_t>(head->front().integer(0));
    {
      std::shared_lock lock(tree_mu);
      if (n == tree.size()) return {};
    }
    std::unique_lock lock(tree_mu);
    return catch_up(store, n);
  }

  Status commit(const std::vector<Pending*>& batch, uint64_t& first_seq) {
    std::unique_lock lock(tree_mu);
    std::optional<TreeState::Mark> mark;
    Status s = store.transaction([&](store::Executor& tx) -> Status {
      // Taking the head row's lock first serialises writers across daemons.
      if (auto r = tx.execute("UPDATE audit_head SET writer = ? WHERE id = 1", {writer_id}); !r) return r.error();
      auto head = tx.query("SELECT tree_size FROM audit_head WHERE id = 1");
      if (!head) return head.error();
      uint64_t n = static_cast<uint64_t>(head->front().integer(0));
      if (Status c = catch_up(tx, n); !c) return c;
      mark = tree.mark();
      first_seq = n;
      std::vector<CompletedSubtree> completed;
      store::Params rows;
      rows.reserve(batch.size() * 9);
      for (size_t i = 0; i < batch.size(); ++i) {
        const auto& e = batch[i]->event;
        std::string data = leaf_data(batch[i]->leaf, n + i);
        Hash h = leaf_hash(data);
        tree.append(h, &completed);
        rows.insert(rows.end(), {static_cast<int64_t>(n + i), e.time, e.type, e.actor, e.subject, e.outcome,
                                 e.source_ip, std::move(data), to_hex(h)});
      }
      if (Status r = insert_rows(tx, "INSERT INTO audit_log (seq, time, type, actor, subject, outcome, source_ip, data, leaf_hash)",
                                 9, rows); !r)
        return r;
      store::Params subtrees;
      for (const auto& c : completed)
        subtrees.insert(subtrees.end(), {int64_t{c.level}, static_cast<int64_t>(c.index), to_hex(c.hash)});
      if (Status r = insert_rows(tx, "INSERT INTO audit_subtrees (level, idx, hash)", 3, subtrees); !r) return r;
      auto u = tx.execute("UPDATE audit_head SET tree_size = ? WHERE id = 1", {static_cast<int64_t>(tree.size())});
      return u ? Status() : Status(u.error());
    });
    if (!s && mark) tree.rollback(*mark);
    return s;
  }

  Result<SignedTreeHead> sign_now() {
    SignedTreeHead sth;
    {
      std::shared_lock lock(tree_mu);
      auto r = root(tree, tree.size());
      if (!r) return r.error();
      sth = key->sign(tree.size(), *r, now_ms());
    }
    auto ins = store.execute(
        "INSERT INTO audit_sth (tree_size, timestamp_ms, root_hash, signature, key_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (tree_size) DO NOTHING",
        {static_cast<int64_t>(sth.tree_size), static_cast<int64_t>(sth.timestamp_ms), to_hex(sth.root),
         crypto::hex_encode(sth.signature), sth.key_id});
    if (!ins) return ins.error();
    last_sth_size = sth.tree_size;
    last_sth_time = steady_clock::now();
    if (bus) {
      // A copy of the log's state outside Wardline's database.
      auto e = siem::make_event("audit.sth", "success");
      e.actor = "system";
      e.details = {{"tree_size", std::to_string(sth.tree_size)}, {"sth", sth_to_json(sth)}};
      bus->publish(e);
    }
    return sth;
  }

  void maybe_sign() {
    uint64_t size;
    {
      std::shared_lock lock(tree_mu);
      size = tree.size();
    }
    if (size <= last_sth_size) return;
    bool due = size - last_sth_size >= options.sth_every_entries ||
               steady_clock::now() - last_sth_time >= seconds(options.sth_every_seconds);
    if (!due) return;
    if (auto s = sign_now(); !s) spdlog::error("audit: cannot store a signed tree head: {}", s.error().message);
  }

  void run() {
    for (;;) {
      std::vector<Pending*> batch;
      {
        std::unique_lock lock(mu);
        cv.wait_for(lock, seconds(options.sth_every_seconds), [&] { return stopping || !queue.empty(); });
        if (queue.empty() && stopping) break;
        while (!queue.empty() && batch.size() < options.max_batch) {
          batch.push_back(queue.front());
          queue.pop_front();
        }
      }
      if (!batch.empty()) {
        uint64_t first = 0;
        Status s = commit(batch, first);
        if (!s) spdlog::error("audit: cannot append {} event(s): {}", batch.size(), s.error().message);
        for (size_t i = 0; i < batch.size(); ++i) {
          if (s && bus) bus->publish(batch[i]->event);
          batch[i]->done.set_value(s ? Result<uint64_t>(first + i) : Result<uint64_t>(s.error()));
        }
      }
      maybe_sign();
    }
    uint64_t size;
    {
      std::shared_lock lock(tree_mu);
      size = tree.size();
    }
    if (size > last_sth_size)
      if (auto s = sign_now(); !s) spdlog::error("audit: cannot store the final signed tree head: {}", s.error().message);
  }
};

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
  if (e.id.empty()) e.id = new_id("evt");
  if (e.time.empty()) e.time = now_rfc3339();
  if (Status s = validate_event(e); !s) return s.error();
  Pending p{prepare_leaf(e), std::move(e), {}};
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
  auto rows = impl_->store.query(
      "SELECT tree_size, timestamp_ms, root_hash, signature, key_id FROM audit_sth ORDER BY tree_size DESC LIMIT 1");
  if (!rows) return rows.error();
  if (rows->empty()) return sign_tree_head();
  const auto& r = rows->front();
  SignedTreeHead sth;
  sth.tree_size = static_cast<uint64_t>(r.integer(0));
  sth.timestamp_ms = static_cast<uint64_t>(r.integer(1));
  auto root_hash = hash_from_hex(r.text(2));
  auto sig = crypto::hex_decode(r.text(3));
  if (!root_hash || !sig) return make_error("audit_corrupt", "stored tree head " + r.text(0) + " is damaged");
  sth.root = *root_hash;
  sth.signature = *sig;
  sth.key_id = r.text(4);
  return sth;
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

Result<AuditEntry> AuditLog::entry(uint64_t seq) {
  auto rows = impl_->store.query("SELECT data FROM audit_log WHERE seq = ?", {static_cast<int64_t>(seq)});
  if (!rows) return rows.error();
  if (rows->empty()) return make_error("not_found", "no audit entry " + std::to_string(seq), "index");
  auto e = event_from_leaf(rows->front().text(0));
  if (!e) return e.error();
  return AuditEntry{seq, rows->front().text(0), *e};
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

store::Store& AuditLog::backing_store() { return impl_->store; }

std::string AuditLog::public_key_pem() const { return impl_->key->public_key_pem(); }

}  // namespace wardline::audit
