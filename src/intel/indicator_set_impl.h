// What an IndicatorSet holds, shared by the set, its builder and snapshots.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <vector>

#include "intel/compact_table.h"
#include "intel/intel.h"

namespace wardline::intel {

struct IndicatorSet::Impl {
  Impl(size_t records, size_t key_bytes) : table(records, key_bytes) {}
  uint64_t id = 0;  // unique per built set, for per-thread caches
  CompactTable table;
  std::vector<Provenance> provenances;
  std::bitset<33> v4_prefixes;
  std::bitset<129> v6_prefixes;
  std::array<size_t, 10> counts{};  // per IndicatorType
  size_t warninglisted = 0;
};

}  // namespace wardline::intel
