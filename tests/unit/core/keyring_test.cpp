#include "core/keyring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/test_support.h"

namespace wardline {
namespace {

TEST(Keyring, CreatesKeyFileWithMode0600) {
  testing::TempDir dir;
  std::string path = dir.path() + "/keys/data-keys.json";
  auto ring = Keyring::open(path);
  ASSERT_TRUE(ring.ok()) << ring.error().message;
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ((*ring)->key_count(), 1u);
}

TEST(Keyring, SealsWithKeyIdAndOpensAfterReload) {
  testing::TempDir dir;
  std::string path = dir.path() + "/k.json";
  auto ring = Keyring::open(path);
  auto sealed = (*ring)->seal("users.phone", "+16175550142");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(Keyring::key_id_of(*sealed), (*ring)->active_key_id());
  EXPECT_EQ(sealed->find("6175550142"), std::string::npos);

  auto reloaded = Keyring::open(path);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(*(*reloaded)->open_value("users.phone", *sealed), "+16175550142");
  EXPECT_FALSE((*reloaded)->open_value("users.email", *sealed).ok());
}

TEST(Keyring, RotationKeepsOldValuesReadable) {
  testing::TempDir dir;
  auto ring = Keyring::open(dir.path() + "/k.json");
  auto old_value = (*ring)->seal("f", "secret");
  std::string old_id = (*ring)->active_key_id();
  auto new_id = (*ring)->rotate();
  ASSERT_TRUE(new_id.ok());
  EXPECT_NE(*new_id, old_id);
  EXPECT_EQ(Keyring::key_id_of(*(*ring)->seal("f", "x")), *new_id);
  EXPECT_EQ(*(*ring)->open_value("f", *old_value), "secret");
}

TEST(Keyring, RefusesGroupReadableOrCorruptFiles) {
  testing::TempDir dir;
  std::string path = dir.path() + "/k.json";
  ASSERT_TRUE(Keyring::open(path).ok());
  chmod(path.c_str(), 0644);
  auto insecure = Keyring::open(path);
  ASSERT_FALSE(insecure.ok());
  EXPECT_NE(insecure.error().message.find("chmod 600"), std::string::npos);

  std::string bad = dir.path() + "/bad.json";
  FILE* f = fopen(bad.c_str(), "w");
  fputs("{not json", f);
  fclose(f);
  chmod(bad.c_str(), 0600);
  EXPECT_FALSE(Keyring::open(bad).ok());
}

TEST(Keyring, UnknownKeyIdIsExplained) {
  testing::TempDir dir;
  auto a = Keyring::open(dir.path() + "/a.json");
  auto b = Keyring::open(dir.path() + "/b.json");
  auto sealed = (*a)->seal("f", "v");
  auto opened = (*b)->open_value("f", *sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "unknown_key");
  EXPECT_FALSE((*b)->open_value("f", "plaintext").ok());
}

}  // namespace
}  // namespace wardline
