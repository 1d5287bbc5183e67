#include <filesystem>

#include "store/connection.h"
#include "store/sqlite/wal_checkpointer.h"

namespace wardline::store {
namespace {

// SQLite: the pool, and its checkpointer, stopped before the pool closes.
class SqliteStore : public PooledStore {
 public:
  SqliteStore(const std::string& path, int pool_size, std::unique_ptr<Connection> checkpoint_connection)
      : PooledStore("sqlite", [path] { return open_sqlite_connection(path); }, pool_size),
        checkpointer_(std::move(checkpoint_connection), std::chrono::milliseconds(250)) {}

 private:
  WalCheckpointer checkpointer_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_store(const std::string& url, const std::string& data_dir,
                                          int pool_size) {
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    return std::unique_ptr<Store>(std::make_unique<PooledStore>(
        "postgres", [url] { return open_postgres_connection(url); }, pool_size));
  }
  std::string path;
  if (url == "sqlite") path = (std::filesystem::path(data_dir) / "wardline.db").string();
  else if (url.rfind("sqlite:", 0) == 0) path = url.substr(7);
  else
    return make_error("invalid_store", "store '" + url +
                                           "' is not supported; use sqlite, sqlite:PATH or postgres://USER@HOST:PORT/DB");
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return make_error("store_unavailable", "cannot create directory '" + parent.string() + "': " + ec.message());
  // Opened now, so a bad path fails at start-up, not on first request.
  auto checkpoint_connection = open_sqlite_connection(path);
  if (!checkpoint_connection) return checkpoint_connection.error();
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(path, pool_size, std::move(*checkpoint_connection)));
}

}  // namespace wardline::store
