// The Store: Wardline's one door to persistent state.
//
// Callers write portable SQL with `?` placeholders; the SQLite (embedded,
// default) and PostgreSQL (multi-node) implementations run it. Values travel
// as text or integers; every column comes back as optional text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/keyring.h"
#include "core/result.h"

namespace wardline::store {

using Value = std::variant<std::nullptr_t, int64_t, std::string>;
using Params = std::vector<Value>;

struct Row {
  std::vector<std::optional<std::string>> cols;
  bool is_null(size_t i) const { return !cols.at(i).has_value(); }
  std::string text(size_t i) const { return cols.at(i).value_or(""); }
  int64_t integer(size_t i) const;
};
using Rows = std::vector<Row>;

// A result row read in place: its views are valid only while the callback
// that receives it runs.
struct RowView {
  const std::optional<std::string_view>* cols;
  size_t size;
  bool is_null(size_t i) const { return !at(i).has_value(); }
  std::string_view text(size_t i) const { return at(i).value_or(std::string_view()); }
  int64_t integer(size_t i) const;

 private:
  const std::optional<std::string_view>& at(size_t i) const;
};
// Receives each row of a scan; returning false stops the scan early.
using RowVisitor = std::function<bool(const RowView&)>;

// SQL executor; inside Store::transaction it is bound to one connection.
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs a statement; returns the number of rows changed.
  virtual Result<int64_t> execute(std::string_view sql, const Params& params = {}) = 0;
  virtual Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
  // Like query, for long reads: rows go to `visit` one by one instead of
  // being collected (on SQLite, without copying them).
  virtual Status scan(std::string_view sql, const Params& params, const RowVisitor& visit);
};

// When a commit is on disk. `durable`: before transaction() returns.
// `with_next_durable`: with the next durable commit on the same database,
// since SQLite's write-ahead log reaches the disk in order; a process crash
// loses nothing, a power cut may lose it until then. Only for a write the
// caller follows with its audit record (a durable commit) before it
// answers. PostgreSQL commits durably either way.
enum class Commit { durable, with_next_durable };

class Store : public Executor {
 public:
  // "sqlite" or "postgres".
  virtual std::string kind() const = 0;
  // Runs fn in one transaction: committed if fn succeeds, rolled back otherwise.
  virtual Status transaction(const std::function<Status(Executor&)>& fn, Commit commit = Commit::durable) = 0;
  // Cheap round trip; fails with a clear message when the database is unreachable.
  virtual Status ping() = 0;
  // Runs several statements separated by ';' (migrations only).
  virtual Status execute_script(std::string_view sql) = 0;
};

// url: "sqlite" (data_dir/wardline.db), "sqlite:PATH", or "postgres://...".
Result<std::unique_ptr<Store>> open_store(const std::string& url, const std::string& data_dir,
                                          int pool_size = 4);

// Re-seals every value in `column` not sealed with the keyring's active key.
// Returns the number of values re-encrypted; `on_row` reports progress.
Result<size_t> reencrypt_column(Store& store, const Keyring& keyring, const EncryptedColumn& column,
                                const std::function<void(size_t done, size_t total)>& on_row = {});

struct Migration {
  int version;
  std::string name;
  std::string sql;
};
const std::vector<Migration>& migrations();

struct MigrationState {
  int current_version = 0;
  int latest_version = 0;
  std::vector<Migration> pending;
};
Result<MigrationState> migration_status(Store& store);
// Applies pending migrations in order, each in its own transaction. Returns how many ran.
Result<int> migrate(Store& store);

}  // namespace wardline::store
