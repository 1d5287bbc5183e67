#include "store/store.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/test_support.h"

namespace wardline::store {
namespace {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->execute_script("CREATE TABLE notes (id TEXT PRIMARY KEY, n BIGINT, body TEXT)"));
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, KindMatches) { EXPECT_EQ(store_->kind(), GetParam()); }

TEST_P(StoreTest, MigrationsAreAppliedOnceAndReported) {
  auto state = migration_status(*store_);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->current_version, migrations().back().version);
  EXPECT_TRUE(state->pending.empty());
  auto again = migrate(*store_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_P(StoreTest, ParametersRoundTripIncludingNullAndQuotes) {
  ASSERT_TRUE(store_->execute("INSERT INTO notes VALUES (?, ?, ?)", {std::string("a"), int64_t{42}, nullptr}));
  ASSERT_TRUE(store_->execute("INSERT INTO notes VALUES (?, ?, ?)",
                              {std::string("b"), int64_t{-7}, std::string("it's ? a \"quote\"")}));
  auto rows = store_->query("SELECT id, n, body FROM notes WHERE n < ? ORDER BY id", {int64_t{100}});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].integer(1), 42);
  EXPECT_TRUE((*rows)[0].is_null(2));
  EXPECT_EQ((*rows)[1].text(2), "it's ? a \"quote\"");
  auto n = store_->execute("UPDATE notes SET n = n + 1 WHERE id <> 'zzz?'");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 2);
}

TEST_P(StoreTest, ScanVisitsTheRowsInPlaceAndStopsWhenAsked) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store_->execute("INSERT INTO notes VALUES (?, ?, ?)",
                                {"n" + std::to_string(i), int64_t{i * 10}, i == 2 ? Value(nullptr) : Value("body " + std::to_string(i))}));
  std::vector<std::string> seen;
  auto visit_all = [&](const RowView& r) {
    EXPECT_EQ(r.size, 3u);
    seen.push_back(std::string(r.text(0)) + "/" + std::to_string(r.integer(1)) + "/" +
                   (r.is_null(2) ? "null" : std::string(r.text(2))));
    return true;
  };
  ASSERT_TRUE(store_->scan("SELECT id, n, body FROM notes WHERE n >= ? ORDER BY id", {int64_t{10}}, visit_all));
  EXPECT_EQ(seen, (std::vector<std::string>{"n1/10/body 1", "n2/20/null", "n3/30/body 3", "n4/40/body 4"}));

  // Inside a transaction too; false from the visitor ends the scan.
  seen.clear();
  ASSERT_TRUE(store_->transaction([&](Executor& tx) -> Status {
    return tx.scan("SELECT id FROM notes ORDER BY id", {}, [&](const RowView& r) {
      seen.emplace_back(r.text(0));
      return seen.size() < 2;
    });
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"n0", "n1"}));

  Status bad = store_->scan("SELECT nope FROM notes", {}, visit_all);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("nope"), std::string::npos) << bad.error().message;
}

TEST_P(StoreTest, FailedTransactionRollsBack) {
  Status s = store_->transaction([](Executor& tx) -> Status {
    auto r = tx.execute("INSERT INTO notes VALUES ('x', 1, 'kept?')");
    if (!r) return r.error();
    return make_error("test_abort", "abort on purpose");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "test_abort");
  auto rows = store_->query("SELECT id FROM notes");
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());

  ASSERT_TRUE(store_->transaction([](Executor& tx) -> Status {
    auto r = tx.execute("INSERT INTO notes VALUES ('y', 1, 'kept')");
    return r ? Status() : Status(r.error());
  }));
  EXPECT_EQ(store_->query("SELECT id FROM notes")->size(), 1u);
}

TEST_P(StoreTest, ATransactionThatThrowsIsRolledBackAndTheConnectionReused) {
  for (int i = 0; i < 4; ++i) {  // more rounds than pooled connections
    Status s = store_->transaction([&](Executor& tx) -> Status {
      (void)tx.execute("INSERT INTO notes VALUES (?, 1, 'x')", {std::to_string(i)});
      throw std::runtime_error("boom");
    });
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("boom"), std::string::npos);
  }
  EXPECT_TRUE(store_->query("SELECT id FROM notes")->empty());
  ASSERT_TRUE(store_->transaction([](Executor& tx) -> Status {
    auto r = tx.execute("INSERT INTO notes VALUES ('ok', 1, 'x')");
    return r ? Status() : Status(r.error());
  }));
  EXPECT_EQ(store_->query("SELECT id FROM notes")->size(), 1u);
}

TEST_P(StoreTest, ACommitLeftToTheNextDurableOneIsStillACommit) {
  ASSERT_TRUE(store_->transaction(
      [](Executor& tx) -> Status {
        auto r = tx.execute("INSERT INTO notes VALUES ('lazy', 1, 'x')");
        return r ? Status() : Status(r.error());
      },
      Commit::with_next_durable));
  Status failed = store_->transaction([](Executor&) -> Status { return make_error("test_abort", "on purpose"); },
                                      Commit::with_next_durable);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(store_->query("SELECT id FROM notes")->size(), 1u);
}

TEST(Store, SqliteWaitsForTheDiskOnlyWhenAsked) {
  testing::TempDir dir;
  auto st = open_store("sqlite", dir.path(), 1);  // one connection: every call below shares it
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto level = [&] { return (*st)->query("PRAGMA synchronous")->front().integer(0); };
  EXPECT_EQ(level(), 2);  // FULL: fsync at every commit
  int64_t inside = -1;
  ASSERT_TRUE((*st)->transaction(
      [&](Executor& tx) -> Status {
        inside = tx.query("PRAGMA synchronous")->front().integer(0);
        return {};
      },
      Commit::with_next_durable));
  EXPECT_EQ(inside, 1);   // NORMAL for that transaction only
  EXPECT_EQ(level(), 2);  // and FULL again for whatever comes next
  (void)(*st)->transaction([](Executor&) -> Status { return make_error("test_abort", "on purpose"); },
                           Commit::with_next_durable);
  EXPECT_EQ(level(), 2);  // after a rollback too
}

TEST(Store, SqliteCheckpointsInTheBackground) {
  // Commits checkpoint only past a high threshold; these few pages reach the
  // database file through the checkpointer's thread.
  testing::TempDir dir;
  auto st = open_store("sqlite", dir.path(), 2);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ((*st)->query("PRAGMA wal_autocheckpoint")->front().integer(0), 10000);
  ASSERT_TRUE((*st)->execute_script("CREATE TABLE pages (body TEXT)"));
  auto db_size = [&] { return std::filesystem::file_size(std::filesystem::path(dir.path()) / "wardline.db"); };
  auto before = db_size();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE((*st)->execute("INSERT INTO pages VALUES (?)", {std::string(2000, 'x')}));
  bool copied = false;
  for (int waited = 0; waited < 200 && !copied; ++waited) {  // up to 20 s: a wait, not a timing check
    copied = db_size() > before + 200 * 2000;
    if (!copied) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(copied) << "the database file did not grow: nothing checkpointed the write-ahead log";
}

TEST_P(StoreTest, ErrorsAreValuesWithTheDatabaseMessage) {
  auto r = store_->query("SELECT nope FROM notes");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "store_error");
  EXPECT_NE(r.error().message.find("nope"), std::string::npos) << r.error().message;
  ASSERT_TRUE(store_->execute("INSERT INTO notes VALUES ('dup', 1, '')"));
  EXPECT_FALSE(store_->execute("INSERT INTO notes VALUES ('dup', 2, '')").ok());
}

TEST_P(StoreTest, ForeignKeysAreEnforced) {
  auto r = store_->execute(
      "INSERT INTO api_tokens (id, user_id, token_hash, created_at, expires_at) VALUES ('t', 'no-such-user', 'h', 0, 0)");
  EXPECT_FALSE(r.ok());
}

TEST_P(StoreTest, ReencryptsAColumnWithTheActiveKey) {
  auto ring = Keyring::open(dir_.path() + "/keys.json");
  ASSERT_TRUE(ring.ok());
  EncryptedColumn col{"notes", "id", "body", "notes.body"};
  for (std::string id : {"1", "2", "3"})
    ASSERT_TRUE(store_->execute("INSERT INTO notes VALUES (?, 0, ?)", {id, *(*ring)->seal(col.field, "secret " + id)}));
  ASSERT_TRUE(store_->execute("INSERT INTO notes VALUES ('4', 0, NULL)"));
  auto new_key = (*ring)->rotate();
  ASSERT_TRUE(new_key.ok());
  size_t calls = 0, reported_total = 0;
  auto n = reencrypt_column(*store_, **ring, col, [&](size_t, size_t total) {
    ++calls;
    reported_total = total;
  });
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(calls, 3u);
  EXPECT_EQ(reported_total, 3u);
  auto rows = store_->query("SELECT id, body FROM notes WHERE body IS NOT NULL ORDER BY id");
  for (const auto& r : *rows) {
    EXPECT_EQ(Keyring::key_id_of(r.text(1)), *new_key);
    EXPECT_EQ(*(*ring)->open_value(col.field, r.text(1)), "secret " + r.text(0));
  }
  EXPECT_EQ(*reencrypt_column(*store_, **ring, col), 0u);  // nothing left to do
}

INSTANTIATE_TEST_SUITE_P(BothStores, StoreTest, ::testing::ValuesIn(testing::kStoreKinds));

TEST(Store, NodesMigratingAFreshPostgresDatabaseAtOnceTakeTurns) {
  testing::TempDir dir;
  auto admin = open_store(testing::postgres_url(), dir.path(), 1);
  ASSERT_TRUE(admin.ok());
  std::string db = "t_race_" + std::to_string(::getpid());
  ASSERT_TRUE((*admin)->execute_script("DROP DATABASE IF EXISTS " + db + "; "));
  ASSERT_TRUE((*admin)->execute_script("CREATE DATABASE " + db));
  std::string url = testing::postgres_url();
  url = url.substr(0, url.rfind('/') + 1) + db;
  std::vector<std::thread> nodes;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i)
    nodes.emplace_back([&] {
      auto st = open_store(url, dir.path(), 1);
      if (st && migrate(**st)) ++ok;
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(ok, 3);
  auto st = open_store(url, dir.path(), 1);
  EXPECT_TRUE(migration_status(**st)->pending.empty());
}

TEST(Store, UnreachablePostgresIsAClearError) {
  testing::TempDir dir;
  auto st = open_store("postgres://wardline@127.0.0.1:1/none", dir.path(), 1);
  ASSERT_TRUE(st.ok());  // connections open lazily
  Status s = (*st)->ping();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "store_unavailable");
  EXPECT_NE(s.error().message.find("cannot connect to PostgreSQL"), std::string::npos) << s.error().message;
}

TEST(Store, UnsupportedUrlAndUnwritableSqlitePathAreErrors) {
  testing::TempDir dir;
  EXPECT_FALSE(open_store("mysql://x", dir.path()).ok());
  auto st = open_store("sqlite:/proc/forbidden/w.db", dir.path());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "store_unavailable");
}

}  // namespace
}  // namespace wardline::store
