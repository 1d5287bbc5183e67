// Internal: one database connection, and the pool that shares them.
#pragma once

#include <condition_variable>
#include <mutex>

#include "store/store.h"

namespace wardline::store {

class Connection : public Executor {
 public:
  virtual Status execute_script(std::string_view sql) = 0;
  virtual Status ping() = 0;
  // True when the connection broke and should be replaced.
  virtual bool broken() const { return false; }
};

using ConnectionFactory = std::function<Result<std::unique_ptr<Connection>>()>;

// A Store over a fixed-size pool of connections; connections are opened
// lazily and reopened after they break (e.g. PostgreSQL restarted).
class PooledStore : public Store {
 public:
  PooledStore(std::string kind, ConnectionFactory factory, int size);
  std::string kind() const override { return kind_; }
  Result<int64_t> execute(std::string_view sql, const Params& params) override;
  Result<Rows> query(std::string_view sql, const Params& params) override;
  Status scan(std::string_view sql, const Params& params, const RowVisitor& visit) override;
  Status transaction(const std::function<Status(Executor&)>& fn, Commit commit = Commit::durable) override;
  Status ping() override;
  Status execute_script(std::string_view sql) override;

 private:
  class Lease;
  Result<std::unique_ptr<Connection>> acquire();
  void release(std::unique_ptr<Connection> c);

  std::string kind_;
  ConnectionFactory factory_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int available_;  // connections that may still be opened or taken
};

Result<std::unique_ptr<Connection>> open_sqlite_connection(const std::string& path);
Result<std::unique_ptr<Connection>> open_postgres_connection(const std::string& url);

}  // namespace wardline::store
