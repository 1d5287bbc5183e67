#include "store/store.h"

namespace wardline::store {

Result<size_t> reencrypt_column(Store& store, const Keyring& keyring, const EncryptedColumn& col,
                                const std::function<void(size_t, size_t)>& on_row) {
  // Table and column names come from code, never from input.
  auto rows = store.query("SELECT " + col.id_column + ", " + col.column + " FROM " + col.table + " WHERE " +
                          col.column + " IS NOT NULL");
  if (!rows) return rows.error();
  size_t changed = 0, done = 0;
  Status s = store.transaction([&](Executor& tx) -> Status {
    for (const auto& r : *rows) {
      if (on_row) on_row(++done, rows->size());
      if (Keyring::key_id_of(r.text(1)) == keyring.active_key_id()) continue;
      auto plain = keyring.open_value(col.field, r.text(1));
      if (!plain) return make_error(plain.error().code, col.table + "." + col.column + " row " + r.text(0) + ": " + plain.error().message);
      auto sealed = keyring.seal(col.field, *plain);
      if (!sealed) return sealed.error();
      auto n = tx.execute("UPDATE " + col.table + " SET " + col.column + " = ? WHERE " + col.id_column + " = ?",
                          {*sealed, r.text(0)});
      if (!n) return n.error();
      ++changed;
    }
    return {};
  });
  if (!s) return s.error();
  return changed;
}

}  // namespace wardline::store
