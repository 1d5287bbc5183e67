// Internal: the AuditLog's state, shared by ledger.cpp (appends, queries),
// verify.cpp and archive.cpp.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "audit/audit.h"
#include "audit/leaf.h"
#include "audit/tree_state.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "store/store.h"

namespace wardline::audit {
namespace detail {

using namespace std::chrono;  // NOLINT: internal header of one module

// One caller's events, committed together; `done` receives the first index.
struct Pending {
  std::vector<PreparedLeaf> leaves;
  std::vector<siem::SecurityEvent> events;
  std::promise<Result<uint64_t>> done;
};

constexpr size_t kRowsPerInsert = 256;  // 9 parameters each: well under SQLite's and PostgreSQL's limits

inline uint64_t now_ms() { return static_cast<uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()); }

inline std::string insert_sql(const char* head, size_t rows, size_t cols) {
  std::string tuple = "(";
  for (size_t c = 0; c < cols; ++c) tuple += c ? ",?" : "?";
  tuple += ")";
  std::string sql = head;
  for (size_t r = 0; r < rows; ++r) sql += (r ? "," : " VALUES ") + tuple;
  return sql;
}

// Runs one multi-row INSERT per chunk of rows. Chunks hold a power of two
// rows, so a handful of statement texts recur and the store's prepared
// statements are reused; a text per batch size meant parsing a large
// statement on almost every commit.
// The values are moved out of `all`.
inline Status insert_rows(store::Executor& tx, const char* head, size_t cols, store::Params& all) {
  size_t total = all.size() / cols;
  for (size_t start = 0, n = 0; start < total; start += n) {
    n = std::bit_floor(std::min(kRowsPerInsert, total - start));
    store::Params chunk(std::make_move_iterator(all.begin() + static_cast<long>(start * cols)),
                        std::make_move_iterator(all.begin() + static_cast<long>((start + n) * cols)));
    auto r = tx.execute(insert_sql(head, n, cols), chunk);
    if (!r) return r.error();
  }
  return {};
}

// A stored tree head from (tree_size, timestamp_ms, root_hash, signature, key_id).
inline Result<SignedTreeHead> sth_from_row(const store::Row& r) {
  SignedTreeHead sth;
  sth.tree_size = static_cast<uint64_t>(r.integer(0));
  sth.timestamp_ms = static_cast<uint64_t>(r.integer(1));
  auto root_hash = hash_from_hex(r.text(2));
  auto sig = crypto::hex_decode(r.text(3));
  if (!root_hash || !sig || sig->size() != 64)
    return make_error("audit_corrupt", "stored tree head for size " + r.text(0) + " is damaged");
  sth.root = *root_hash;
  sth.signature = *sig;
  sth.key_id = r.text(4);
  return sth;
}

constexpr const char* kSthColumns = "tree_size, timestamp_ms, root_hash, signature, key_id";

}  // namespace detail

struct AuditLog::Impl {
  using Pending = detail::Pending;
  using steady_clock = std::chrono::steady_clock;
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

  std::atomic<uint64_t> purged{0};  // entries before this index were archived and removed
  std::mutex sth_mu;                 // guards the two fields below
  uint64_t last_sth_size = 0;
  steady_clock::time_point last_sth_time = steady_clock::now();

  Impl(store::Store& s, std::shared_ptr<SigningKey> k, AuditOptions o, siem::EventBus* b)
      : store(s), key(std::move(k)), options(o), bus(b), tree(s) {}

  Status load() {
    auto head = store.query("SELECT tree_size FROM audit_head WHERE id = 1");
    if (!head) return head.error();
    if (head->empty()) return make_error("audit_corrupt", "audit_head row is missing; run 'wardline db migrate'");
    uint64_t size = static_cast<uint64_t>(head->front().integer(0));
    // One stored subtree per 16 entries: read in place, not collected.
    Status loaded;
    Status read = store.scan("SELECT level, idx, hash FROM audit_subtrees ORDER BY level, idx", {}, [&](const store::RowView& r) {
      auto h = hash_from_hex(r.text(2));
      loaded = h ? tree.load_subtree(static_cast<int>(r.integer(0)), static_cast<uint64_t>(r.integer(1)), *h)
                 : Status(make_error("audit_corrupt", "stored subtree hash is not hex"));
      return static_cast<bool>(loaded);
    });
    if (!read) return read;
    if (!loaded) return loaded;
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
    auto purges = store.query("SELECT MAX(before_index) FROM audit_purges");
    if (!purges) return purges.error();
    purged = purges->empty() ? 0 : static_cast<uint64_t>(purges->front().integer(0));
    auto sth = store.query("SELECT MAX(tree_size) FROM audit_sth");
    if (!sth) return sth.error();
    last_sth_size = sth->empty() ? 0 : static_cast<uint64_t>(sth->front().integer(0));
    return {};
  }

  // The perfect subtrees covering [0, size), largest first (size a multiple of 16).
  Result<std::vector<Hash>> edge_of(uint64_t size) {
    std::shared_lock lock(tree_mu);
    std::vector<Hash> edge;
    uint64_t offset = 0;
    for (int level = 63; level >= 0; --level) {
      if (!(size >> level & 1)) continue;
      auto h = tree.perfect(level, offset >> level);
      if (!h) return h.error();
      edge.push_back(*h);
      offset += uint64_t{1} << level;
    }
    return edge;
  }

  // Brings the in-memory tree up to `head` entries written by other daemons.
  // The tree lock must be held exclusively.
  Status catch_up(store::Executor& reader, uint64_t head) {
    if (head < tree.size())
      return make_error("audit_corrupt", "the stored audit log has " + std::to_string(head) + " entries, fewer than the " +
                                             std::to_string(tree.size()) + " this daemon has seen");
    while (tree.size() < head) {
      uint64_t before = tree.size();
      bool damaged = false;
      Status read = reader.scan("SELECT seq, leaf_hash FROM audit_log WHERE seq >= ? AND seq < ? ORDER BY seq",
                                {static_cast<int64_t>(before), static_cast<int64_t>(std::min(head, before + 50000))},
                                [&](const store::RowView& r) {
                                  auto h = hash_from_hex(r.text(1));
                                  damaged = static_cast<uint64_t>(r.integer(0)) != tree.size() || !h;
                                  if (!damaged) tree.append(*h, nullptr);
                                  return !damaged;
                                });
      if (!read) return read;
      if (damaged || tree.size() == before)
        return make_error("audit_corrupt", "audit entry " + std::to_string(tree.size()) + " is missing or damaged");
    }
    return {};
  }

  // Catches up with entries other daemons (or the CLI) committed. The head
  // read here may be older than this daemon's own latest commit: only a
  // larger head means there is something to read.
  Status refresh() {
    auto head = store.query("SELECT tree_size FROM audit_head WHERE id = 1");
    if (!head) return head.error();
    if (head->empty()) return make_error("audit_corrupt", "audit_head row is missing; run 'wardline db migrate'");
    auto purges = store.query("SELECT MAX(before_index) FROM audit_purges");
    if (!purges) return purges.error();
    purged = purges->empty() ? 0 : static_cast<uint64_t>(purges->front().integer(0));
    uint64_t n = static_cast<uint64_t>(head->front().integer(0));
    {
      std::shared_lock lock(tree_mu);
      if (n <= tree.size()) return {};
    }
    std::unique_lock lock(tree_mu);
    return n <= tree.size() ? Status() : catch_up(store, n);
  }

  // Commits every pending batch in one transaction; firsts[i] is batch i's first index.
  Status commit(const std::vector<Pending*>& batch, std::vector<uint64_t>& firsts) {
    std::unique_lock lock(tree_mu);
    std::optional<TreeState::Mark> mark;
    Status s = store.transaction([&](store::Executor& tx) -> Status {
      // Taking the head row's lock first serialises writers across daemons.
      if (auto r = tx.execute("UPDATE audit_head SET writer = ? WHERE id = 1", {writer_id}); !r) return r.error();
      auto head = tx.query("SELECT tree_size FROM audit_head WHERE id = 1");
      if (!head) return head.error();
      if (head->empty()) return make_error("audit_corrupt", "audit_head row is missing; run 'wardline db migrate'");
      uint64_t n = static_cast<uint64_t>(head->front().integer(0));
      if (Status c = catch_up(tx, n); !c) return c;
      mark = tree.mark();
      firsts.clear();
      std::vector<CompletedSubtree> completed;
      store::Params rows;
      uint64_t seq = n;
      for (const Pending* p : batch) {
        firsts.push_back(seq);
        for (size_t i = 0; i < p->events.size(); ++i, ++seq) {
          const auto& e = p->events[i];
          std::string data = leaf_data(p->leaves[i], seq);
          Hash h = prepared_leaf_hash(p->leaves[i], seq);
          tree.append(h, &completed);
          rows.insert(rows.end(), {static_cast<int64_t>(seq), e.time, e.type, e.actor, e.subject, e.outcome,
                                   e.source_ip, std::move(data), to_hex(h)});
        }
      }
      if (Status r = detail::insert_rows(tx, "INSERT INTO audit_log (seq, time, type, actor, subject, outcome, source_ip, data, leaf_hash)",
                                 9, rows); !r)
        return r;
      store::Params subtrees;
      for (const auto& c : completed)
        subtrees.insert(subtrees.end(), {int64_t{c.level}, static_cast<int64_t>(c.index), to_hex(c.hash)});
      if (Status r = detail::insert_rows(tx, "INSERT INTO audit_subtrees (level, idx, hash)", 3, subtrees); !r) return r;
      auto u = tx.execute("UPDATE audit_head SET tree_size = ? WHERE id = 1", {static_cast<int64_t>(tree.size())});
      return u ? Status() : Status(u.error());
    });
    if (!s && mark) tree.rollback(*mark);
    return s;
  }

  Result<SignedTreeHead> sign_now() {
    uint64_t size;
    {
      std::shared_lock lock(tree_mu);
      size = tree.size();
    }
    return sign_at(size);
  }

  // Signs the tree as it was at `size` (the tree is append-only, so any past
  // size has one root) and stores the head; an existing head for that size wins.
  Result<SignedTreeHead> sign_at(uint64_t size) {
    SignedTreeHead sth;
    {
      std::shared_lock lock(tree_mu);
      auto r = root(tree, size);
      if (!r) return r.error();
      sth = key->sign(size, *r, detail::now_ms());
    }
    auto ins = store.execute(
        "INSERT INTO audit_sth (tree_size, timestamp_ms, root_hash, signature, key_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (tree_size) DO NOTHING",
        {static_cast<int64_t>(sth.tree_size), static_cast<int64_t>(sth.timestamp_ms), to_hex(sth.root),
         crypto::hex_encode(sth.signature), sth.key_id});
    if (!ins) return ins.error();
    {
      std::lock_guard lock(sth_mu);
      if (sth.tree_size < last_sth_size) return sth;  // a past size, for an archive
      last_sth_size = sth.tree_size;
      last_sth_time = steady_clock::now();
    }
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
    {
      std::lock_guard lock(sth_mu);
      if (size <= last_sth_size) return;
      bool due = size - last_sth_size >= options.sth_every_entries ||
                 steady_clock::now() - last_sth_time >= std::chrono::seconds(options.sth_every_seconds);
      if (!due) return;
    }
    if (auto s = sign_now(); !s) spdlog::error("audit: cannot store a signed tree head: {}", s.error().message);
  }

  void run() {
    for (;;) {
      std::vector<Pending*> batch;
      size_t events = 0;
      {
        std::unique_lock lock(mu);
        cv.wait_for(lock, std::chrono::seconds(options.sth_every_seconds), [&] { return stopping || !queue.empty(); });
        if (queue.empty() && stopping) break;
        // Everything waiting goes into one commit, up to max_batch events.
        while (!queue.empty() && (batch.empty() || events + queue.front()->events.size() <= options.max_batch)) {
          events += queue.front()->events.size();
          batch.push_back(queue.front());
          queue.pop_front();
        }
      }
      if (!batch.empty()) {
        std::vector<uint64_t> firsts;
        Status s = commit(batch, firsts);
        if (!s) spdlog::error("audit: cannot append {} event(s): {}", events, s.error().message);
        for (size_t i = 0; i < batch.size(); ++i) {
          if (s && bus)
            for (const auto& e : batch[i]->events) bus->publish(e);
          batch[i]->done.set_value(s ? Result<uint64_t>(firsts[i]) : Result<uint64_t>(s.error()));
        }
      }
      maybe_sign();
    }
    uint64_t size;
    {
      std::shared_lock lock(tree_mu);
      size = tree.size();
    }
    bool unsigned_entries;
    {
      std::lock_guard lock(sth_mu);
      unsigned_entries = size > last_sth_size;
    }
    if (unsigned_entries)
      if (auto s = sign_now(); !s) spdlog::error("audit: cannot store the final signed tree head: {}", s.error().message);
  }
};

}  // namespace wardline::audit
