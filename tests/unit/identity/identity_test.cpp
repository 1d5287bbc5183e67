#include "identity/identity.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/keyring.h"
#include "core/time.h"
#include "support/test_support.h"

namespace wardline {
namespace {

std::string reason_of(Identity& identity, const std::string& token) {
  auto r = identity.authenticate(token);
  return r.ok() ? std::string("accepted") : r.error().message;
}

class IdentityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    auto ring = Keyring::open(dir_.path() + "/keys.json");
    ASSERT_TRUE(ring.ok());
    identity_ = std::make_unique<Identity>(*store_, *ring);
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Identity> identity_;
};

TEST_P(IdentityTest, AddsNamedUsersAndRejectsDuplicatesAndBadNames) {
  auto u = identity_->add_user({"dr.ellis", Role::analyst, "Jordan Ellis", std::nullopt});
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->role, Role::analyst);
  auto dup = identity_->add_user({"dr.ellis", Role::admin, "", std::nullopt});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "conflict");
  for (const std::string& bad : std::vector<std::string>{"", "Shared Account", "-x", std::string(65, 'a'), "nurse;drop"})
    EXPECT_FALSE(identity_->add_user({bad, Role::reporter, "", std::nullopt}).ok()) << bad;
}

TEST_P(IdentityTest, PhoneIsEncryptedAtRestAndReadBack) {
  ASSERT_TRUE(identity_->add_user({"nurse.kim", Role::reporter, "", std::string("+1 617 555 0142")}).ok());
  auto raw = store_->query("SELECT phone_enc FROM users WHERE name = 'nurse.kim'");
  ASSERT_TRUE(raw.ok());
  // Spaces never occur in the base64 ciphertext, so only the number in clear can match.
  EXPECT_EQ(raw->at(0).text(0).find("617 555 0142"), std::string::npos);
  EXPECT_EQ(raw->at(0).text(0).rfind("wlenc:v1:", 0), 0u);
  EXPECT_EQ(*identity_->find_user("nurse.kim")->phone, "+1 617 555 0142");
}

TEST_P(IdentityTest, TokensAuthenticateUntilExpiredRevokedOrDisabled) {
  ASSERT_TRUE(identity_->add_user({"svc.ehr", Role::service, "", std::nullopt}).ok());
  auto t = identity_->create_token("svc.ehr", std::chrono::hours(1));
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->secret.rfind("wl_", 0), 0u);
  auto stored = store_->query("SELECT token_hash FROM api_tokens");
  EXPECT_EQ(stored->at(0).text(0).find(t->secret), std::string::npos);  // only a hash is kept

  auto p = identity_->authenticate(t->secret);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->user_name, "svc.ehr");
  EXPECT_EQ(p->role, Role::service);

  auto reason = [&](const std::string& tok) {
    auto r = identity_->authenticate(tok);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "unauthenticated");
    return r.error().message;
  };
  EXPECT_EQ(reason(""), "no bearer token");
  EXPECT_EQ(reason("not-a-token"), "malformed token");
  EXPECT_EQ(reason("wl_unknown"), "unknown token");

  ASSERT_TRUE(store_->execute("UPDATE api_tokens SET expires_at = ? WHERE id = ?", {unix_now() - 1, t->id}));
  EXPECT_NE(reason(t->secret).find("expired"), std::string::npos);

  auto t2 = identity_->create_token("svc.ehr", std::chrono::hours(1));
  ASSERT_TRUE(identity_->revoke_token(t2->id));
  EXPECT_NE(reason(t2->secret).find("revoked"), std::string::npos);
  EXPECT_FALSE(identity_->revoke_token(t2->id).ok());

  auto t3 = identity_->create_token("svc.ehr", std::chrono::hours(1));
  ASSERT_TRUE(identity_->disable_user("svc.ehr"));
  EXPECT_NE(reason(t3->secret).find("disabled"), std::string::npos);
  EXPECT_FALSE(identity_->create_token("svc.ehr", std::chrono::hours(1)).ok());
  EXPECT_FALSE(identity_->create_token("nobody", std::chrono::hours(1)).ok());
}

// The daemon's token cache: a second authentication needs no query, yet a
// revocation or a disable through the same Identity is refused at once.
TEST_P(IdentityTest, CachedTokensStopAtOnceWhenRevokedOrDisabledHere) {
  identity_->cache_tokens(std::chrono::hours(1));
  ASSERT_TRUE(identity_->add_user({"svc.ehr", Role::service, "", std::nullopt}).ok());
  ASSERT_TRUE(identity_->add_user({"svc.idp", Role::service, "", std::nullopt}).ok());
  auto t1 = identity_->create_token("svc.ehr", std::chrono::hours(1));
  auto t2 = identity_->create_token("svc.ehr", std::chrono::hours(1));
  auto t3 = identity_->create_token("svc.idp", std::chrono::hours(1));
  ASSERT_TRUE(t1.ok() && t2.ok() && t3.ok());
  for (const auto* t : {&*t1, &*t2, &*t3}) ASSERT_TRUE(identity_->authenticate(t->secret).ok());

  // Served from the cache: a change behind the Identity's back (another
  // daemon, the CLI) is not seen within the cache's lifetime.
  ASSERT_TRUE(store_->execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", {unix_now(), t3->id}));
  auto cached = identity_->authenticate(t3->secret);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->user_name, "svc.idp");
  EXPECT_EQ(cached->token_id, t3->id);

  ASSERT_TRUE(identity_->revoke_token(t1->id));
  auto revoked = identity_->authenticate(t1->secret);
  ASSERT_FALSE(revoked.ok());
  EXPECT_NE(revoked.error().message.find("revoked"), std::string::npos);
  // Emptying the cache also ended t3's stale entry.
  EXPECT_FALSE(identity_->authenticate(t3->secret).ok());

  ASSERT_TRUE(identity_->authenticate(t2->secret).ok());
  ASSERT_TRUE(identity_->disable_user("svc.ehr"));
  auto disabled = identity_->authenticate(t2->secret);
  ASSERT_FALSE(disabled.ok());
  EXPECT_NE(disabled.error().message.find("disabled"), std::string::npos);

  ASSERT_TRUE(identity_->enable_user("svc.ehr"));
  ASSERT_TRUE(identity_->authenticate(t2->secret).ok());
  ASSERT_TRUE(identity_->remove_user("svc.ehr"));
  EXPECT_EQ(identity_->authenticate(t2->secret).error().message, "unknown token");
}

TEST_P(IdentityTest, CachedTokensAreReadAgainAfterTheCacheLifetime) {
  identity_->cache_tokens(std::chrono::milliseconds(1));
  ASSERT_TRUE(identity_->add_user({"svc.ehr", Role::service, "", std::nullopt}).ok());
  auto t = identity_->create_token("svc.ehr", std::chrono::hours(1));
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(identity_->authenticate(t->secret).ok());
  // Revoked by someone else: seen once the entry is older than its lifetime.
  ASSERT_TRUE(store_->execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", {unix_now(), t->id}));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(identity_->authenticate(t->secret).ok());

  // A token that expires is refused even while its entry is fresh.
  identity_->cache_tokens(std::chrono::hours(1));
  auto t2 = identity_->create_token("svc.ehr", std::chrono::seconds(1));
  ASSERT_TRUE(t2.ok());
  ASSERT_TRUE(identity_->authenticate(t2->secret).ok());
  while (unix_now() < t2->expires_at) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(reason_of(*identity_, t2->secret).find("expired"), std::string::npos);
}

TEST_P(IdentityTest, ListsUsersInPagesByName) {
  for (std::string n : {"e", "a", "d", "c", "b"}) ASSERT_TRUE(identity_->add_user({n, Role::reporter, "", std::nullopt}).ok());
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = identity_->list_users(cursor, 2);
    ASSERT_TRUE(page.ok());
    for (const auto& u : page->users) seen.push_back(u.name);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pages, 3);
}

INSTANTIATE_TEST_SUITE_P(BothStores, IdentityTest, ::testing::ValuesIn(testing::kStoreKinds));

TEST(Roles, LeastPrivilege) {
  EXPECT_TRUE(role_allows(Role::admin, Permission::users_write));
  EXPECT_TRUE(role_allows(Role::auditor, Permission::users_read));
  EXPECT_FALSE(role_allows(Role::auditor, Permission::users_write));
  EXPECT_TRUE(role_allows(Role::service, Permission::intel_ingest));
  EXPECT_FALSE(role_allows(Role::analyst, Permission::intel_ingest));
  EXPECT_TRUE(role_allows(Role::auditor, Permission::intel_read));
  EXPECT_TRUE(role_allows(Role::analyst, Permission::intel_triage));
  EXPECT_FALSE(role_allows(Role::auditor, Permission::intel_triage));
  EXPECT_FALSE(role_allows(Role::reporter, Permission::intel_read));
  for (Role r : {Role::analyst, Role::reporter, Role::service}) {
    EXPECT_FALSE(role_allows(r, Permission::users_read)) << to_string(r);
    EXPECT_TRUE(role_allows(r, Permission::self_read)) << to_string(r);
  }
  EXPECT_EQ(*parse_role("auditor"), Role::auditor);
  EXPECT_FALSE(parse_role("root").ok());
}

}  // namespace
}  // namespace wardline
