#include <sqlite3.h>

#include <unordered_map>

#include "store/connection.h"
#include "store/sqlite/wal_checkpointer.h"

namespace wardline::store {
namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  return make_error("store_error", std::string(what) + ": " + sqlite3_errmsg(db));
}

class SqliteConnection : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    clear_cache();
    sqlite3_close_v2(db_);
  }

  Result<int64_t> execute(std::string_view sql, const Params& params) override {
    if (Status s = run(sql, params, {}); !s) return s.error();
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    Rows rows;
    Status s = run(sql, params, [&rows](sqlite3_stmt* stmt) {
      Row& row = rows.emplace_back();
      for (int i = 0, n = sqlite3_column_count(stmt); i < n; ++i) {
        auto text = column_text(stmt, i);
        row.cols.emplace_back(text ? std::optional<std::string>(*text) : std::nullopt);
      }
      return true;
    });
    if (!s) return s.error();
    return rows;
  }

  Status scan(std::string_view sql, const Params& params, const RowVisitor& visit) override {
    std::vector<std::optional<std::string_view>> views;
    return run(sql, params, [&](sqlite3_stmt* stmt) {
      views.clear();
      for (int i = 0, n = sqlite3_column_count(stmt); i < n; ++i) views.push_back(column_text(stmt, i));
      return visit(RowView{views.data(), views.size()});
    });
  }

  Status execute_script(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return make_error("store_error", "SQLite: " + msg);
    }
    return {};
  }

  Status ping() override { return execute_script("SELECT 1"); }

 private:
  // Prepared statements are cached per SQL text: parsing is a large share of
  // a small query's cost. The cache is bounded; callers use few distinct texts.
  static constexpr size_t kMaxCached = 128;

  void clear_cache() {
    for (auto& [text, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
      return nullptr;
    if (cache_.size() >= kMaxCached) clear_cache();
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  static std::optional<std::string_view> column_text(sqlite3_stmt* stmt, int i) {
    if (sqlite3_column_type(stmt, i) == SQLITE_NULL) return std::nullopt;
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
    return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
  }

  // Runs one statement; each result row goes to on_row (if set) while the
  // statement is positioned on it, until on_row returns false.
  Status run(std::string_view sql, const Params& params, const std::function<bool(sqlite3_stmt*)>& on_row) {
    sqlite3_stmt* stmt = prepare(sql);
    if (!stmt) return sqlite_error(db_, "SQLite prepare");
    // Reset (releasing read locks) and unbind whatever happens below.
    std::unique_ptr<sqlite3_stmt, void (*)(sqlite3_stmt*)> guard(stmt, [](sqlite3_stmt* s) {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    });
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) sqlite3_bind_null(stmt, idx);
      else if (auto* n = std::get_if<int64_t>(&v)) sqlite3_bind_int64(stmt, idx, *n);
      else {
        // SQLITE_STATIC, not a copy: `params` outlives the statement's use,
        // which the guard above resets and unbinds before returning.
        const auto& s = std::get<std::string>(v);
        sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
      }
    }
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return {};
      if (rc != SQLITE_ROW) return sqlite_error(db_, "SQLite");
      if (on_row && !on_row(stmt)) return {};
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace

Result<std::unique_ptr<Connection>> open_sqlite_connection(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return make_error("store_unavailable", "cannot open SQLite database '" + path + "': " + msg +
                                               "; check that the data directory exists and is writable");
  }
  sqlite3_busy_timeout(db, 5000);
  auto conn = std::make_unique<SqliteConnection>(db);
  // WAL: readers never block the writer; foreign keys are off by default in
  // SQLite; synchronous=FULL makes every commit durable (fsync) before it
  // returns; reads go through a memory map (no read() per page) and a 32 MiB
  // cache; checkpoints are the WalCheckpointer's, commits do one only when
  // it falls far behind.
  if (Status s = conn->execute_script("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; "
                                      "PRAGMA mmap_size=1073741824; PRAGMA cache_size=-32768; "
                                      "PRAGMA wal_autocheckpoint=" + std::to_string(kSafetyNetCheckpointPages) + ";");
      !s)
    return s.error();
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace wardline::store
