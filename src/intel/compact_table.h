// The memory layout that keeps a million indicators within 1.5x the size of
// the feed file (Zeek's Intel framework takes 6-7x).
//
// Records live back to back in one arena: [type][key length, varint][key]
// [provenance id, 3 bytes]. An open-addressing table of 4-byte arena offsets
// (linear probing, load factor <= 0.85) finds them, and a parallel array of
// one-byte hash tags lets most probes that miss never touch the arena.
// Per indicator: key + 5 bytes in the arena, about 5.9 bytes of table.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wardline::intel {

class CompactTable {
 public:
  static constexpr uint32_t kNone = 0;
  static constexpr uint32_t kMaxProvenance = (1u << 24) - 1;

  // `expected_records` and `expected_key_bytes` size everything up front.
  CompactTable(size_t expected_records, size_t expected_key_bytes);

  // Room for this many more records and key bytes without growing.
  void reserve(size_t records, size_t key_bytes);

  uint32_t find(uint8_t type, std::string_view key) const;
  // The record's offset; `inserted` tells whether it is new.
  uint32_t insert(uint8_t type, std::string_view key, uint32_t provenance, bool& inserted);

  uint8_t type_at(uint32_t offset) const { return static_cast<uint8_t>(arena_[offset]); }
  std::string_view key_at(uint32_t offset) const;
  uint32_t provenance_at(uint32_t offset) const;
  void set_provenance(uint32_t offset, uint32_t provenance);

  size_t size() const { return count_; }
  size_t memory_bytes() const { return arena_.capacity() + slots_.capacity() * 4 + tags_.capacity(); }
  // Drops spare capacity once building is over.
  void shrink();

  // The table as bytes (intel-snapshot-format.md), and back. load() checks
  // that every offset points at a record inside the arena.
  void save(std::string& out) const;
  // `read(buf, n)` fills buf with the next n bytes; `limit` bounds every size read.
  static bool load(const std::function<bool(char*, size_t)>& read, uint64_t limit, CompactTable& out);

  // Offsets of every record, in insertion order.
  template <class F>
  void for_each(F&& f) const {
    for (uint32_t off = 1; off < arena_.size(); off = next_record(off)) f(off);
  }

 private:
  uint32_t next_record(uint32_t offset) const;
  size_t slot_of(uint64_t hash) const { return static_cast<size_t>(((hash & 0xffffffffu) * slots_.size()) >> 32); }
  void place(uint64_t hash, uint32_t offset);
  void rehash(size_t slots);

  std::vector<char> arena_;  // offset 0 is a placeholder: kNone
  std::vector<uint32_t> slots_;
  std::vector<uint8_t> tags_;
  size_t count_ = 0;
};

}  // namespace wardline::intel
