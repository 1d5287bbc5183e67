#include "intel/compact_table.h"

#include <xxhash.h>

#include <cstring>
#include <stdexcept>

namespace wardline::intel {
namespace {

constexpr double kMaxLoad = 0.85;

uint64_t hash_key(uint8_t type, std::string_view key) { return XXH3_64bits_withSeed(key.data(), key.size(), type); }
// Never 0, so a zero tag always means "empty slot".
uint8_t tag_of(uint64_t hash) { return static_cast<uint8_t>(hash >> 56) | 1; }

size_t slots_for(size_t records) { return std::max<size_t>(16, static_cast<size_t>(static_cast<double>(records) / kMaxLoad) + 1); }

}  // namespace

CompactTable::CompactTable(size_t expected_records, size_t expected_key_bytes) {
  arena_.reserve(1 + expected_key_bytes + expected_records * 5);
  arena_.push_back('\0');
  slots_.assign(slots_for(expected_records), kNone);
  tags_.assign(slots_.size(), 0);
}

std::string_view CompactTable::key_at(uint32_t offset) const {
  uint32_t pos = offset + 1, len = 0;
  for (int shift = 0;; shift += 7) {
    auto b = static_cast<uint8_t>(arena_[pos++]);
    len |= static_cast<uint32_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return {arena_.data() + pos, len};
}

uint32_t CompactTable::next_record(uint32_t offset) const {
  std::string_view key = key_at(offset);
  return static_cast<uint32_t>(key.data() + key.size() - arena_.data()) + 3;
}

uint32_t CompactTable::provenance_at(uint32_t offset) const {
  std::string_view key = key_at(offset);
  const auto* p = reinterpret_cast<const uint8_t*>(key.data() + key.size());
  return p[0] | (p[1] << 8) | (p[2] << 16);
}

void CompactTable::set_provenance(uint32_t offset, uint32_t provenance) {
  std::string_view key = key_at(offset);
  auto* p = reinterpret_cast<uint8_t*>(arena_.data() + (key.data() + key.size() - arena_.data()));
  p[0] = provenance & 0xff;
  p[1] = (provenance >> 8) & 0xff;
  p[2] = (provenance >> 16) & 0xff;
}

uint32_t CompactTable::find(uint8_t type, std::string_view key) const {
  uint64_t h = hash_key(type, key);
  uint8_t tag = tag_of(h);
  for (size_t i = slot_of(h);; i = i + 1 == slots_.size() ? 0 : i + 1) {
    if (tags_[i] == 0) return kNone;
    if (tags_[i] != tag) continue;
    uint32_t off = slots_[i];
    if (type_at(off) == type && key_at(off) == key) return off;
  }
}

void CompactTable::place(uint64_t hash, uint32_t offset) {
  size_t i = slot_of(hash);
  while (tags_[i] != 0) i = i + 1 == slots_.size() ? 0 : i + 1;
  slots_[i] = offset;
  tags_[i] = tag_of(hash);
}

void CompactTable::reserve(size_t records, size_t key_bytes) {
  arena_.reserve(arena_.size() + key_bytes + records * 5);
  size_t want = slots_for(count_ + records);
  if (want > slots_.size()) rehash(want);
}

void CompactTable::rehash(size_t slots) {
  slots_.assign(slots, kNone);
  tags_.assign(slots_.size(), 0);
  for_each([&](uint32_t off) { place(hash_key(type_at(off), key_at(off)), off); });
}

uint32_t CompactTable::insert(uint8_t type, std::string_view key, uint32_t provenance, bool& inserted) {
  inserted = false;
  if (uint32_t found = find(type, key); found != kNone) return found;
  if (static_cast<double>(count_ + 1) > static_cast<double>(slots_.size()) * kMaxLoad) rehash(slots_.size() * 2);
  if (arena_.size() + key.size() + 8 > UINT32_MAX) throw std::length_error("indicator set larger than 4 GiB");
  auto offset = static_cast<uint32_t>(arena_.size());
  arena_.push_back(static_cast<char>(type));
  for (size_t len = key.size();; len >>= 7) {
    arena_.push_back(static_cast<char>((len & 0x7f) | (len >= 0x80 ? 0x80 : 0)));
    if (len < 0x80) break;
  }
  arena_.insert(arena_.end(), key.begin(), key.end());
  arena_.insert(arena_.end(), 3, '\0');
  set_provenance(offset, provenance);
  place(hash_key(type, key), offset);
  ++count_;
  inserted = true;
  return offset;
}

void CompactTable::shrink() {
  if (arena_.capacity() > arena_.size() + arena_.size() / 16) arena_.shrink_to_fit();
}

}  // namespace wardline::intel
