// `audit verify`: recompute everything from the stored entries and trust
// nothing else: each leaf against its data, every stored subtree, and every
// signed tree head against the root recomputed at its size.
#include <algorithm>
#include <future>
#include <map>

#include <nlohmann/json.hpp>

#include "audit/ledger_impl.h"
#include "core/crypto.h"
#include "store/store.h"

namespace wardline::audit {
namespace {
constexpr int64_t kChunk = 20000;  // entries per read

// Entries read for checking, their data back to back in one buffer: one
// allocation per chunk rather than several per row.
class EntryChunk {
 public:
  struct Entry {
    uint64_t seq;
    size_t offset, size;
    bool has_data;
    std::optional<Hash> stored_hash;  // absent when missing or not hex
  };
  std::vector<Entry> entries;

  void clear() {
    entries.clear();
    bytes_.clear();
  }
  // Adds a (seq, data, leaf_hash) row.
  void add(const store::RowView& r) {
    std::string_view data = r.text(1);
    std::optional<Hash> stored;
    // As written: lowercase hex. Anything else is a changed row.
    std::string_view hex = r.text(2);
    bool lowercase = std::none_of(hex.begin(), hex.end(), [](char c) { return c >= 'A' && c <= 'F'; });
    if (!r.is_null(2) && lowercase)
      if (auto h = hash_from_hex(hex)) stored = *h;
    entries.push_back({static_cast<uint64_t>(r.integer(0)), bytes_.size(), data.size(), !r.is_null(1), stored});
    bytes_.append(data);
  }
  std::string_view data(size_t i) const { return std::string_view(bytes_).substr(entries[i].offset, entries[i].size); }

 private:
  std::string bytes_;
};
}  // namespace

Result<VerifyReport> AuditLog::verify(const std::function<void(uint64_t, uint64_t)>& progress) {
  store::Store& store = impl_->store;
  VerifyReport report;
  auto fail = [&](uint64_t index, std::string problem) {
    report.ok = false;
    report.first_bad_index = index;
    report.problem = std::move(problem);
    return report;
  };


  // Signed tree heads, checked against this log's public key.
  // Tree heads are read before the head row: a head is stored only after the
  // entries it covers, so on a live log every head read here is <= size.
  auto sth_rows = store.query(std::string("SELECT ") + detail::kSthColumns + " FROM audit_sth ORDER BY tree_size");
  if (!sth_rows) return sth_rows.error();
  auto read_size = [&store]() -> Result<uint64_t> {
    auto head = store.query("SELECT tree_size FROM audit_head WHERE id = 1");
    if (!head) return head.error();
    if (head->empty()) return make_error("audit_corrupt", "audit_head row is missing");
    return static_cast<uint64_t>(head->front().integer(0));
  };
  auto size_now = read_size();
  if (!size_now) return size_now.error();
  uint64_t size = *size_now;
  std::string pem = public_key_pem();
  std::map<uint64_t, SignedTreeHead> heads;
  for (const auto& r : *sth_rows) {
    auto s = detail::sth_from_row(r);
    auto valid = s ? verify_sth(*s, pem) : Result<bool>(false);
    uint64_t tree_size = static_cast<uint64_t>(r.integer(0));
    if (!valid || !*valid)
      return fail(tree_size, "signed tree head for size " + std::to_string(tree_size) +
                                 " does not verify with this log's signing key");
    if (tree_size > size)
      return fail(size, "a signed tree head covers " + std::to_string(tree_size) + " entries but the log holds " +
                            std::to_string(size) + ": entries from index " + std::to_string(size) + " were removed");
    heads[tree_size] = *s;
  }
  report.tree_heads = heads.size();

  // Stored subtrees, to compare with what the entries recompute to.
  auto sub_rows = store.query("SELECT level, idx, hash FROM audit_subtrees ORDER BY level, idx");
  if (!sub_rows) return sub_rows.error();
  std::map<std::pair<int, uint64_t>, Hash> stored;
  for (const auto& r : *sub_rows) {
    auto h = hash_from_hex(r.text(2));
    if (!h) return fail(static_cast<uint64_t>(r.integer(1)) << r.integer(0), "a stored subtree hash is not hex");
    stored[{static_cast<int>(r.integer(0)), static_cast<uint64_t>(r.integer(1))}] = *h;
  }

  // After a purge the tree resumes from the edge kept at the boundary, which
  // must add up to the signed tree head at that size.
  CompactRange range;
  uint64_t expected = 0, last_good_head = 0;
  auto purge = store.query("SELECT before_index, edge FROM audit_purges ORDER BY before_index DESC LIMIT 1");
  if (!purge) return purge.error();
  if (!purge->empty()) {
    uint64_t boundary = static_cast<uint64_t>(purge->front().integer(0));
    auto list = nlohmann::json::parse(purge->front().text(1), nullptr, false);
    std::vector<Hash> edge;
    if (list.is_array())
      for (const auto& x : list)
        if (auto h = x.is_string() ? hash_from_hex(x.get<std::string>()) : Result<Hash>(make_error("", ""))) edge.push_back(*h);
    auto seeded = CompactRange::from_edge(boundary, edge);
    auto head_at = heads.find(boundary);
    if (!seeded || head_at == heads.end() || seeded->root() != head_at->second.root)
      return fail(boundary, "the tree edge kept at the purge boundary " + std::to_string(boundary) +
                                " does not match the signed tree head for that size");
    range = *seeded;
    expected = last_good_head = boundary;
  }
  std::optional<VerifyReport> bad;
  // Reading the next chunk and hashing this one's leaves (on both cores)
  // overlap; the checks themselves run in order.
  // Entries appended while verify runs are beyond `size` and left for next time.
  auto fetch = [&store, size](uint64_t from, EntryChunk& chunk) {
    chunk.clear();
    return store.scan("SELECT seq, data, leaf_hash FROM audit_log WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?",
                      {static_cast<int64_t>(from), static_cast<int64_t>(size), kChunk},
                      [&chunk](const store::RowView& r) {
                        chunk.add(r);
                        return true;
                      });
  };
  EntryChunk chunks[2];
  int current = 0;
  auto next = std::async(std::launch::async, fetch, expected, std::ref(chunks[current]));
  std::vector<Hash> hashes;
  for (;;) {
    if (Status s = next.get(); !s) return s.error();
    const EntryChunk& chunk = chunks[current];
    if (chunk.entries.empty()) break;
    current ^= 1;
    next = std::async(std::launch::async, fetch, chunk.entries.back().seq + 1, std::ref(chunks[current]));
    hashes.resize(chunk.entries.size());
    auto hash_range = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) hashes[i] = leaf_hash(chunk.data(i));
    };
    size_t half = hashes.size() / 2;
    auto second_half = std::async(std::launch::async, hash_range, half, hashes.size());
    hash_range(0, half);
    second_half.get();
    for (size_t i = 0; i < chunk.entries.size(); ++i) {
      const EntryChunk::Entry& entry = chunk.entries[i];
      uint64_t seq = entry.seq;
      if (seq != expected) return fail(expected, "entry " + std::to_string(expected) + " is missing (deleted?)");
      if (!entry.has_data) return fail(seq, "entry " + std::to_string(seq) + " has no data");
      std::string_view data = chunk.data(i);
      if (seq_of_leaf(data) != static_cast<int64_t>(seq))
        return fail(seq, "entry " + std::to_string(seq) + " holds the data of entry " + std::to_string(seq_of_leaf(data)) +
                             " (moved or reordered)");
      const Hash& h = hashes[i];
      if (!entry.stored_hash || *entry.stored_hash != h)
        return fail(seq, "entry " + std::to_string(seq) + " was modified: its data no longer matches its leaf hash");
      range.append(h, [&](int level, uint64_t index, const Hash& sub) {
        if (bad || level < kStoredLevel) return;
        auto it = stored.find({level, index});
        if (it == stored.end() || it->second != sub) {
          uint64_t first = index << level;
          bad = fail(first, "entries " + std::to_string(first) + ".." + std::to_string(((index + 1) << level) - 1) +
                                " do not match the stored subtree hash (level " + std::to_string(level) + ")");
        }
      });
      if (bad) return *bad;
      ++expected;
      if (auto it = heads.find(expected); it != heads.end()) {
        if (range.root() != it->second.root)
          return fail(last_good_head, "the first " + std::to_string(expected) +
                                          " entries do not match the signed tree head for that size; the change lies in entries " +
                                          std::to_string(last_good_head) + ".." + std::to_string(expected - 1));
        last_good_head = expected;
      }
    }
    if (progress) progress(expected, size);
  }
  if (expected < size) return fail(expected, "entries from " + std::to_string(expected) + " on are missing (deleted?)");
  // Rows past the head as it is now were not written by Wardline.
  auto size_after = read_size();
  if (!size_after) return size_after.error();
  auto extra = store.query("SELECT MIN(seq) FROM audit_log WHERE seq >= ?", {static_cast<int64_t>(*size_after)});
  if (!extra) return extra.error();
  if (!extra->empty() && !extra->front().is_null(0))
    return fail(static_cast<uint64_t>(extra->front().integer(0)),
                "entry " + extra->front().text(0) + " is beyond the log's recorded size " + std::to_string(*size_after) +
                    " (inserted outside Wardline?)");
  report.entries = expected;
  return report;
}

}  // namespace wardline::audit
