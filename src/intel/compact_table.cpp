#include "intel/compact_table.h"
#include "intel/le_bytes.h"

#include <xxhash.h>

#include <algorithm>
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
  // Doubling while small; by a quarter once large, so a few records past a
  // reserve() do not double a table of millions.
  if (static_cast<double>(count_ + 1) > static_cast<double>(slots_.size()) * kMaxLoad)
    rehash(slots_.size() < (1u << 16) ? slots_.size() * 2 : slots_.size() + slots_.size() / 4);
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

namespace {


}  // namespace

void CompactTable::save(std::string& out) const {
  put_u64(out, count_);
  put_u64(out, arena_.size());
  out.append(arena_.data(), arena_.size());
  put_u64(out, slots_.size());
  for (uint32_t s : slots_)
    for (int i = 0; i < 4; ++i) out += static_cast<char>((s >> (8 * i)) & 0xff);
  out.append(reinterpret_cast<const char*>(tags_.data()), tags_.size());
}

bool CompactTable::load(const std::function<bool(char*, size_t)>& read, uint64_t limit, CompactTable& t) {
  auto u64 = [&](uint64_t& v) {
    char b[8];
    if (!read(b, 8)) return false;
    std::string_view in(b, 8);
    return get_u64(in, v);
  };
  uint64_t count, arena, slots;
  if (!u64(count) || !u64(arena) || arena == 0 || arena > UINT32_MAX || arena > limit) return false;
  t.arena_.resize(arena);
  if (!read(t.arena_.data(), arena)) return false;
  if (!u64(slots) || slots == 0 || count >= slots || slots * 5 > limit) return false;
  t.slots_.resize(slots);
  if (!read(reinterpret_cast<char*>(t.slots_.data()), slots * 4)) return false;
  for (uint32_t& s : t.slots_) {  // stored little-endian
    const auto* p = reinterpret_cast<const uint8_t*>(&s);
    s = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  }
  t.tags_.resize(slots);
  if (!read(reinterpret_cast<char*>(t.tags_.data()), slots)) return false;
  t.count_ = count;
  // Every record must lie inside the arena, and every slot point at one.
  std::vector<bool> starts(arena, false);
  size_t records = 0;
  for (uint64_t off = 1; off < arena; ++records) {
    starts[off] = true;
    uint64_t pos = off + 1, len = 0;
    for (int shift = 0;; shift += 7) {
      if (pos >= arena || shift > 28) return false;
      auto b = static_cast<uint8_t>(t.arena_[pos++]);
      len |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    off = pos + len + 3;
    if (off > arena) return false;
  }
  if (records != count) return false;
  size_t used = 0;
  for (size_t i = 0; i < slots; ++i) {
    if (t.tags_[i] == 0) continue;
    if (t.slots_[i] >= arena || !starts[t.slots_[i]]) return false;
    ++used;
  }
  return used == count;
}

void CompactTable::shrink() {
  if (arena_.capacity() > arena_.size() + arena_.size() / 16) arena_.shrink_to_fit();
}

}  // namespace wardline::intel
