// Shared test helpers: temporary directories and the stores under test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace wardline::testing {

// A fresh directory, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The PostgreSQL URL from scripts/start-postgres.sh (ctest fixture "postgres").
std::string postgres_url();

// Store kinds every store-backed test runs against.
inline const std::vector<std::string> kStoreKinds = {"sqlite", "postgres"};

// Opens a migrated, empty store of `kind`: SQLite in `dir`, or a new
// PostgreSQL database on the test server.
std::unique_ptr<store::Store> open_test_store(const std::string& kind, const std::string& dir);

std::string read_file(const std::string& path);

// Makes every insert into audit_log fail with "read-only", as a store that
// turned read-only would (a trigger: works on both stores and any role).
void refuse_audit_writes(store::Store& store);

}  // namespace wardline::testing
