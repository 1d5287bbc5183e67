#include "store/connection.h"

#include <charconv>
#include <stdexcept>

namespace wardline::store {

namespace {
// Never throws: a column edited by hand to hold text reads as 0, and the
// checks above this layer (audit verify, ...) report what is wrong.
int64_t integer_or_zero(const std::optional<std::string_view>& c) {
  int64_t v = 0;
  if (c) std::from_chars(c->data(), c->data() + c->size(), v);
  return v;
}
}  // namespace

int64_t Row::integer(size_t i) const { return integer_or_zero(cols.at(i)); }

const std::optional<std::string_view>& RowView::at(size_t i) const {
  if (i >= size) throw std::out_of_range("RowView: column " + std::to_string(i) + " of " + std::to_string(size));
  return cols[i];
}

int64_t RowView::integer(size_t i) const { return integer_or_zero(at(i)); }

Status Executor::scan(std::string_view sql, const Params& params, const RowVisitor& visit) {
  auto rows = query(sql, params);
  if (!rows) return rows.error();
  std::vector<std::optional<std::string_view>> views;
  for (const auto& r : *rows) {
    views.assign(r.cols.begin(), r.cols.end());
    if (!visit(RowView{views.data(), views.size()})) break;
  }
  return {};
}

PooledStore::PooledStore(std::string kind, ConnectionFactory factory, int size)
    : kind_(std::move(kind)), factory_(std::move(factory)), available_(size) {}

Result<std::unique_ptr<Connection>> PooledStore::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return available_ > 0; });
  --available_;
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  lock.unlock();
  auto c = factory_();
  if (!c) {
    std::lock_guard relock(mu_);
    ++available_;
    cv_.notify_one();
  }
  return c;
}

void PooledStore::release(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  if (c && !c->broken()) idle_.push_back(std::move(c));
  ++available_;
  cv_.notify_one();
}

// Returns its connection to the pool when it goes out of scope.
class PooledStore::Lease {
 public:
  Lease(PooledStore& pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
  ~Lease() { pool_.release(std::move(c_)); }
  // The connection is closed instead of going back to the pool.
  void discard() { c_.reset(); }
  Connection& operator*() { return *c_; }
  Connection* operator->() { return c_.get(); }

 private:
  PooledStore& pool_;
  std::unique_ptr<Connection> c_;
};

Result<int64_t> PooledStore::execute(std::string_view sql, const Params& params) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, std::move(*c));
  return lease->execute(sql, params);
}

Result<Rows> PooledStore::query(std::string_view sql, const Params& params) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, std::move(*c));
  return lease->query(sql, params);
}

Status PooledStore::scan(std::string_view sql, const Params& params, const RowVisitor& visit) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, std::move(*c));
  return lease->scan(sql, params, visit);
}

Status PooledStore::execute_script(std::string_view sql) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, std::move(*c));
  return lease->execute_script(sql);
}

Status PooledStore::ping() {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, std::move(*c));
  return lease->ping();
}

Status PooledStore::transaction(const std::function<Status(Executor&)>& fn, Commit commit) {
  auto c = acquire();
  if (!c) return c.error();
  Lease lease(*this, std::move(*c));
  // SQLite connections commit with synchronous=FULL (an fsync per commit);
  // NORMAL for this one leaves the fsync to the next durable commit. The
  // level cannot change inside a transaction, so it is set around it.
  bool lazy = commit == Commit::with_next_durable && kind_ == "sqlite";
  if (lazy)
    if (Status s = lease->execute_script("PRAGMA synchronous=NORMAL"); !s) return s;
  // SQLite: take the write lock up front. A deferred transaction that reads
  // and then writes fails at once with SQLITE_BUSY (no busy-timeout wait) if
  // another connection committed in between: that lost the odd syslog batch
  // under concurrent API writes.
  if (Status s = lease->execute_script(kind_ == "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN"); !s) return s;
  // However fn ends (error, exception) or COMMIT fails, the connection goes
  // back to the pool outside any transaction.
  Status result;
  try {
    result = fn(*lease);
  } catch (const std::exception& e) {
    result = make_error("internal", std::string("transaction aborted: ") + e.what());
  }
  if (result) result = lease->execute_script("COMMIT");
  if (!result) (void)lease->execute_script("ROLLBACK");
  // A connection left at NORMAL would quietly weaken every later commit on it.
  if (lazy && !lease->execute_script("PRAGMA synchronous=FULL")) lease.discard();
  return result;
}

}  // namespace wardline::store
