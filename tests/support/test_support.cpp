#include "support/test_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace wardline::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "wardline-test-XXXXXX").string();
  path_ = mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void refuse_audit_writes(store::Store& store) {
  Status s = store.kind() == "sqlite"
                 ? store.execute_script("CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'read-only'); END;")
                 : store.execute_script(
                       "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'read-only'; END $$ LANGUAGE plpgsql; "
                       "CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse();");
  if (!s) ADD_FAILURE() << s.error().message;
}

std::string postgres_url() {
  const char* file = std::getenv("WARDLINE_TEST_PG_URL_FILE");
  std::string url = file ? read_file(file) : "";
  while (!url.empty() && (url.back() == '\n' || url.back() == ' ')) url.pop_back();
  if (url.empty())
    ADD_FAILURE() << "no PostgreSQL test server: run through ctest (which starts one with "
                     "scripts/start-postgres.sh) or set WARDLINE_TEST_PG_URL_FILE";
  return url;
}

std::unique_ptr<store::Store> open_test_store(const std::string& kind, const std::string& dir) {
  std::string url = kind == "sqlite" ? "sqlite" : postgres_url();
  if (kind == "postgres") {
    // A database of its own per store, so test programs can run in parallel.
    auto admin = store::open_store(url, dir, 1);
    if (!admin) {
      ADD_FAILURE() << admin.error().message;
      return nullptr;
    }
    std::string db = "t_" + crypto::hex_encode(crypto::random_bytes(8));
    Status s = (*admin)->execute_script("CREATE DATABASE " + db);
    if (!s) ADD_FAILURE() << s.error().message;
    url = url.substr(0, url.rfind('/') + 1) + db;
  }
  auto st = store::open_store(url, dir, 2);
  if (!st) {
    ADD_FAILURE() << st.error().message;
    return nullptr;
  }
  auto n = store::migrate(**st);
  if (!n) ADD_FAILURE() << n.error().message;
  return std::move(*st);
}

}  // namespace wardline::testing
