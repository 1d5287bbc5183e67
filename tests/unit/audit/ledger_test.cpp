#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "audit/audit.h"
#include "audit/jcs.h"
#include "audit/leaf.h"
#include "core/time.h"
#include "support/test_support.h"

namespace wardline::audit {
namespace {

siem::SecurityEvent event(int i, const std::string& type = "admin.user_created") {
  auto e = siem::make_event(type, "success");
  e.actor = "admin" + std::to_string(i % 3);
  e.subject = "user" + std::to_string(i);
  e.source_ip = "10.0.0." + std::to_string(i % 250);
  if (type == "device.wipe") e.details = {{"wipe_type", "selective"}, {"reason", "lost phone"}, {"stage", "requested"}};
  return e;
}

class LedgerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    log_ = open_log();
  }
  std::unique_ptr<AuditLog> open_log(AuditOptions o = {}) {
    auto log = AuditLog::open(*store_, dir_.path() + "/keys/audit.pem", o);
    EXPECT_TRUE(log.ok()) << (log.ok() ? "" : log.error().message);
    return log.ok() ? std::move(*log) : nullptr;
  }
  void append(int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(log_->record(event(i)).ok());
  }
  // The tree an outside auditor builds from the stored leaf data alone.
  MemoryTree independent_tree() {
    MemoryTree t;
    auto rows = store_->query("SELECT data FROM audit_log ORDER BY seq");
    for (const auto& r : *rows) t.append(leaf_hash(r.text(0)));
    return t;
  }
  VerifyReport verify() {
    auto r = log_->verify();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : VerifyReport{};
  }
  // Appends 40 entries, changes a row with `sql`, and expects verify to name `index`.
  void expect_verify_names(const std::string& sql, uint64_t index) {
    append(40);
    ASSERT_TRUE(store_->execute(sql));
    auto r = verify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_index, index) << r.problem;
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_P(LedgerTest, AppendsAssignSequenceNumbersAndLeavesAreCanonicalJson) {
  EXPECT_EQ(*log_->record(event(0)), 0u);
  EXPECT_EQ(*log_->record(event(1)), 1u);
  auto e = log_->entry(1);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->event.subject, "user1");
  auto j = nlohmann::json::parse(e->data);
  EXPECT_EQ(j["seq"], 1);
  EXPECT_EQ(canonical_json(j), e->data);  // the leaf is exactly its own canonical form
}

TEST_P(LedgerTest, BatchesGetConsecutiveIndicesAllOrNothing) {
  std::vector<siem::SecurityEvent> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(event(i));
  EXPECT_EQ(*log_->record_batch(batch), 0u);
  EXPECT_EQ(*log_->record(event(10)), 10u);
  batch.push_back(event(1, "made.up"));
  EXPECT_FALSE(log_->record_batch(batch).ok());
  EXPECT_EQ(*log_->size(), 11u);
  EXPECT_EQ(log_->entry(9)->event.subject, "user9");
}

TEST_P(LedgerTest, RootsAndProofsAgreeWithAnIndependentTree) {
  append(100);
  MemoryTree t = independent_tree();
  ASSERT_EQ(t.size(), 100u);
  for (uint64_t size : {1, 15, 16, 17, 33, 64, 99, 100}) {
    MemoryTree prefix;
    auto rows = store_->query("SELECT data FROM audit_log WHERE seq < ? ORDER BY seq", {static_cast<int64_t>(size)});
    for (const auto& r : *rows) prefix.append(leaf_hash(r.text(0)));
    EXPECT_EQ(*log_->root_at(size), prefix.root()) << size;
    for (uint64_t i : {uint64_t{0}, size / 2, size - 1}) {
      auto proof = log_->inclusion_proof(i, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(*proof, *audit::inclusion_proof(t, i, size));
      EXPECT_TRUE(verify_inclusion(*t.perfect(0, i), i, size, *proof, prefix.root()));
    }
    auto c = log_->consistency_proof(size, 100);
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(verify_consistency(size, 100, prefix.root(), t.root(), *c));
  }
  EXPECT_FALSE(log_->inclusion_proof(5, 101).ok());
  EXPECT_FALSE(log_->consistency_proof(0, 10).ok());
}

TEST_P(LedgerTest, SignedTreeHeadsVerifyWithThePublishedKey) {
  append(20);
  auto sth = log_->sign_tree_head();
  ASSERT_TRUE(sth.ok()) << sth.error().message;
  EXPECT_EQ(sth->tree_size, 20u);
  EXPECT_EQ(sth->root, independent_tree().root());
  EXPECT_TRUE(*verify_sth(*sth, log_->public_key_pem()));
  auto parsed = sth_from_json(sth_to_json(*sth));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(*verify_sth(*parsed, log_->public_key_pem()));
  auto forged = *sth;
  forged.tree_size = 21;
  EXPECT_FALSE(*verify_sth(forged, log_->public_key_pem()));
  EXPECT_EQ(log_->latest_sth()->tree_size, 20u);
}

TEST_P(LedgerTest, TreeHeadsAreSignedEveryNEntries) {
  log_.reset();
  AuditOptions o;
  o.sth_every_entries = 10;
  log_ = open_log(o);
  append(25);
  auto heads = store_->query("SELECT tree_size FROM audit_sth ORDER BY tree_size");
  ASSERT_GE(heads->size(), 2u);
  EXPECT_GE(heads->at(0).integer(0), 10);
  log_->shutdown();  // signs the final head
  EXPECT_EQ(store_->query("SELECT MAX(tree_size) FROM audit_sth")->at(0).integer(0), 25);
}

TEST_P(LedgerTest, StateSurvivesRestartWithoutRehashing) {
  append(37);
  Hash before = *log_->root_at(37);
  log_.reset();
  log_ = open_log();
  EXPECT_EQ(*log_->size(), 37u);
  EXPECT_EQ(*log_->root_at(37), before);
  ASSERT_TRUE(log_->record(event(99)).ok());
  EXPECT_EQ(*log_->root_at(38), independent_tree().root());
}

TEST_P(LedgerTest, SearchFiltersAndPagesNewestFirst) {
  append(10);
  ASSERT_TRUE(log_->record(event(50, "device.wipe")).ok());
  SearchFilter f;
  f.actor = "admin1";
  auto page = log_->search(f, "", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].seq, 7u);
  EXPECT_EQ(page->entries[1].seq, 4u);
  auto next = log_->search(f, page->next_cursor, 2);
  ASSERT_EQ(next->entries.size(), 1u);
  EXPECT_EQ(next->entries[0].seq, 1u);
  EXPECT_TRUE(next->next_cursor.empty());
  SearchFilter by_type;
  by_type.type = "device.*";
  EXPECT_EQ(log_->search(by_type, "", 10)->entries.size(), 1u);
  SearchFilter future;
  future.since = "2999-01-01T00:00:00.000Z";
  EXPECT_TRUE(log_->search(future, "", 10)->entries.empty());
  EXPECT_FALSE(log_->search(f, "abc", 2).ok());
}

TEST_P(LedgerTest, TypedEventsAreValidated) {
  auto wipe = event(1, "device.wipe");
  wipe.details["wipe_type"] = "everything";
  EXPECT_FALSE(log_->record(wipe).ok());
  auto no_stage = event(1, "device.wipe");
  no_stage.details.erase("stage");
  EXPECT_FALSE(log_->record(no_stage).ok());
  auto no_actor = event(1);
  no_actor.actor.clear();
  EXPECT_FALSE(log_->record(no_actor).ok());
  EXPECT_FALSE(log_->record(event(1, "made.up")).ok());
  EXPECT_TRUE(log_->record(event(1, "device.wipe")).ok());
}

TEST_P(LedgerTest, VerifyPassesOnAnUntouchedLog) {
  append(70);
  ASSERT_TRUE(log_->sign_tree_head().ok());
  append(5);
  auto r = verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 75u);
  EXPECT_GE(r.tree_heads, 1u);
}

TEST_P(LedgerTest, VerifyNamesAChangedRow) {
  expect_verify_names("UPDATE audit_log SET data = replace(data, 'user23', 'user99') WHERE seq = 23", 23);
}

TEST_P(LedgerTest, VerifyNamesARowWhoseLeafHashWasRewritten) {
  // The same hash in capitals: the row is not as Wardline wrote it.
  expect_verify_names("UPDATE audit_log SET leaf_hash = upper(leaf_hash) WHERE seq = 12", 12);
}

TEST_P(LedgerTest, VerifyNamesARowChangedTogetherWithItsLeafHash) {
  append(40);
  ASSERT_TRUE(log_->sign_tree_head().ok());
  auto row = store_->query("SELECT data FROM audit_log WHERE seq = 37")->at(0).text(0);
  std::string forged = row;
  forged.replace(forged.find("user37"), 6, "userXX");
  ASSERT_TRUE(store_->execute("UPDATE audit_log SET data = ?, leaf_hash = ? WHERE seq = 37", {forged, to_hex(leaf_hash(forged))}));
  // Data and leaf hash agree, so only the signed tree head can tell; it
  // bounds the change to the entries it newly covers.
  auto r = verify();
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.first_bad_index.has_value());
  EXPECT_LE(*r.first_bad_index, 37u) << r.problem;
  EXPECT_NE(r.problem.find("entries 0..39"), std::string::npos) << r.problem;
}

TEST_P(LedgerTest, VerifyNamesADeletedRow) {
  append(30);
  ASSERT_TRUE(store_->execute("DELETE FROM audit_log WHERE seq = 12"));
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 12u) << r.problem;
}

TEST_P(LedgerTest, VerifyNamesAnInsertedRow) {
  append(30);
  ASSERT_TRUE(store_->execute(
      "INSERT INTO audit_log (seq, time, type, actor, subject, outcome, source_ip, data, leaf_hash) "
      "SELECT 30, time, type, actor, subject, outcome, source_ip, data, leaf_hash FROM audit_log WHERE seq = 29"));
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 30u) << r.problem;
}

TEST_P(LedgerTest, VerifyNamesReorderedRows) {
  append(30);
  // Swap the contents of rows 5 and 9 (data and leaf hash together).
  ASSERT_TRUE(store_->execute("UPDATE audit_log SET seq = -1 WHERE seq = 5"));
  ASSERT_TRUE(store_->execute("UPDATE audit_log SET seq = 5 WHERE seq = 9"));
  ASSERT_TRUE(store_->execute("UPDATE audit_log SET seq = 9 WHERE seq = -1"));
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 5u) << r.problem;
}

TEST_P(LedgerTest, VerifyDetectsATamperedTreeHead) {
  append(20);
  ASSERT_TRUE(log_->sign_tree_head().ok());
  ASSERT_TRUE(store_->execute("UPDATE audit_sth SET root_hash = ? WHERE tree_size = 20", {to_hex(leaf_hash("x"))}));
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("does not verify"), std::string::npos) << r.problem;
}

TEST_P(LedgerTest, ConcurrentWritersAcrossTwoLogInstancesStayConsistent) {
  // Two AuditLog objects on one store behave like two daemons sharing it.
  auto other = open_log();
  ASSERT_NE(other, nullptr);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w)
    threads.emplace_back([&, w] {
      AuditLog& log = w % 2 ? *other : *log_;
      for (int i = 0; i < 50; ++i) ASSERT_TRUE(log.record(event(w * 1000 + i)).ok());
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(*log_->size(), 200u);
  EXPECT_EQ(*other->size(), 200u);
  Hash expected = independent_tree().root();
  EXPECT_EQ(*log_->root_at(200), expected);
  EXPECT_EQ(*other->root_at(200), expected);
  ASSERT_TRUE(other->sign_tree_head().ok());
  auto r = verify();
  EXPECT_TRUE(r.ok) << r.problem;
}

TEST_P(LedgerTest, AFailedAuditWriteIsReportedNotSwallowed) {
  // Make the store refuse audit writes.
  testing::refuse_audit_writes(*store_);
  auto r = log_->record(event(1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("read-only"), std::string::npos) << r.error().message;
  EXPECT_EQ(*log_->size(), 0u);
}

TEST_P(LedgerTest, ArchiveExportVerifyPurgeAndImport) {
  append(40);
  Hash root40 = *log_->root_at(40);
  std::string file = dir_.path() + "/a.zst";
  EXPECT_FALSE(log_->export_archive(30, file, "tester").ok());  // not a multiple of 16
  EXPECT_FALSE(log_->purge(32, std::chrono::seconds(-60), "tester").ok());  // not archived yet
  auto info = log_->export_archive(32, file, "tester");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->first_index, 0u);
  EXPECT_EQ(info->end_index, 32u);
  auto checked = verify_archive_file(file, log_->public_key_pem());
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  EXPECT_EQ(checked->sha256, info->sha256);

  // Six-year retention refuses to purge entries written seconds ago.
  auto young = log_->purge(32, std::chrono::hours(24 * 365 * 6), "tester");
  ASSERT_FALSE(young.ok());
  EXPECT_EQ(young.error().code, "retention");

  auto removed = log_->purge(32, std::chrono::seconds(-60), "tester");
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, 32u);
  EXPECT_EQ(*log_->purged_before(), 32u);
  EXPECT_EQ(*log_->root_at(40), root40);  // the tree is unchanged
  EXPECT_FALSE(log_->inclusion_proof(3, 40).ok());
  EXPECT_EQ(*log_->size(), 42u);  // plus admin.audit_archived and admin.audit_purged
  auto p = log_->inclusion_proof(35, 42);
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto r = verify();
  EXPECT_TRUE(r.ok) << r.problem;

  // Restart after the purge, keep appending, verify again.
  log_.reset();
  log_ = open_log();
  ASSERT_TRUE(log_->record(event(77)).ok());
  r = verify();
  EXPECT_TRUE(r.ok) << r.problem;

  auto back = log_->import_archive(file, "tester");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, 32u);
  EXPECT_EQ(*log_->purged_before(), 0u);
  r = verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, *log_->size());
}

TEST_P(LedgerTest, DamagedOrForeignArchivesAreRejected) {
  append(20);
  std::string file = dir_.path() + "/a.zst";
  ASSERT_TRUE(log_->export_archive(16, file, "tester").ok());
  std::string bytes = testing::read_file(file);
  EXPECT_FALSE(verify_archive_bytes(bytes.substr(0, bytes.size() / 2), "").ok());  // truncated
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  EXPECT_FALSE(verify_archive_bytes(flipped, "").ok());
  EXPECT_FALSE(verify_archive_bytes("not zstd at all", "").ok());
  testing::TempDir other;
  auto foreign = SigningKey::open_or_create(other.path() + "/k.pem");
  auto wrong_key = verify_archive_bytes(bytes, (*foreign)->public_key_pem());
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_NE(wrong_key.error().message.find("different key"), std::string::npos);
  EXPECT_TRUE(verify_archive_bytes(bytes, "").ok());
}

INSTANTIATE_TEST_SUITE_P(BothStores, LedgerTest, ::testing::ValuesIn(testing::kStoreKinds));

TEST(Jcs, SortsKeysByUtf16AndEscapesMinimally) {
  auto j = nlohmann::json::parse(R"({"b":1,"a":"x\u000fy","\u20ac":true,"\ud83d\ude00":null,"c":[1.5,1e21,0.000001,-0.0]})");
  EXPECT_EQ(canonical_json(j), "{\"a\":\"x\\u000fy\",\"b\":1,\"c\":[1.5,1e+21,0.000001,0],\"\xe2\x82\xac\":true,\"\xf0\x9f\x98\x80\":null}");
}

TEST(Jcs, Rfc8785NumberSamples) {
  // From RFC 8785 appendix B.
  EXPECT_EQ(canonical_json(nlohmann::json(333333333.33333329)), "333333333.3333333");
  EXPECT_EQ(canonical_json(nlohmann::json(1e30)), "1e+30");
  EXPECT_EQ(canonical_json(nlohmann::json(4.50)), "4.5");
  EXPECT_EQ(canonical_json(nlohmann::json(2e-3)), "0.002");
  EXPECT_EQ(canonical_json(nlohmann::json(0.000000000000000000000000001)), "1e-27");
}

}  // namespace
}  // namespace wardline::audit

namespace wardline::audit {
namespace {

TEST(Leaf, PreparedLeavesAreExactlyTheCanonicalJsonAndHash) {
  auto e = siem::make_event("admin.user_created", "success");
  e.actor = "dr.\xc3\xa9lise";                      // é
  e.subject = "tab\there \"quoted\" \x01 \xff";     // control char, invalid UTF-8
  e.details = {{"\xee\x80\x80", "private use"},       // U+E000: after the emoji in UTF-16 order
               {"\xf0\x9f\x98\x80", "emoji"},         // U+1F600
               {"b", "2"}, {"a", "1"}};
  PreparedLeaf p = prepare_leaf(e);
  std::string data = leaf_data(p, 12345);
  nlohmann::json j = nlohmann::json::parse(data);
  EXPECT_EQ(canonical_json(j), data);
  EXPECT_EQ(j["seq"], 12345);
  EXPECT_LT(data.find("emoji"), data.find("private use"));
  EXPECT_EQ(prepared_leaf_hash(p, 12345), leaf_hash(data));
  EXPECT_EQ(seq_of_leaf(data), 12345);
}

}  // namespace
}  // namespace wardline::audit
