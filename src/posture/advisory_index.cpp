// Which advisories a device is exposed to. This runs for every app of every
// device, and an OS can carry thousands of NVD ranges, so:
// - an app without advisories costs one hash and one bit test: ids are
//   hashed and compared case-insensitively in place, never copied;
// - a product's ranges are not tested one by one: the versions they name cut
//   the version line into slots (below the first, equal to it, between it and
//   the next, ...), each range covers a run of slots, and a segment tree over
//   the slots hands a device's version its ranges in O(log n + matches).
#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "core/strings.h"
#include "posture/posture.h"

namespace wardline::posture {
namespace {

// ASCII 'A'..'Z' to lower case in eight bytes at once; other bytes stay.
uint64_t lower8(uint64_t x) {
  uint64_t low7 = x & 0x7f7f7f7f7f7f7f7full;
  uint64_t from_a = low7 + 0x3f3f3f3f3f3f3f3full;  // top bit set from 'A' (0x41) up
  uint64_t past_z = low7 + 0x2525252525252525ull;  // top bit set from '[' (0x5b) up
  uint64_t upper = from_a & ~past_z & ~x & 0x8080808080808080ull;
  return x | (upper >> 2);
}

// Hashes eight lowered bytes per step: app ids are hashed for every app of
// every device, a byte-at-a-time hash costs several times more.
struct CaseInsensitiveHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    constexpr uint64_t kMul = 0xff51afd7ed558ccdull;
    uint64_t h = s.size() * 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ lower8(w)) * kMul;
      h ^= h >> 32;
    }
    uint64_t tail = 0;
    if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ lower8(tail)) * kMul;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

struct CaseInsensitiveEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
  }
};

// One advisory on one product: what an Exposure reports.
struct Entry {
  const Advisory* advisory;
  const std::string* product;
  Severity severity;
  int64_t deadline;
};

// A range of an entry: entries[entry].advisory->affected[range].
struct Hit {
  uint32_t entry, range;
  bool operator<(const Hit& o) const { return entry != o.entry ? entry < o.entry : range < o.range; }
};

bool has_version_constraint(const AffectedRange& r) {
  return !r.version.empty() || !r.start_including.empty() || !r.start_excluding.empty() || !r.end_including.empty() ||
         !r.end_excluding.empty();
}

struct VersionLess {
  bool operator()(const std::string& a, const std::string& b) const { return compare_versions(a, b) < 0; }
};

// One product's ranges, by the version slots they cover.
class ProductRanges {
 public:
  void add(Hit hit, const AffectedRange& r) {
    if (!has_version_constraint(r)) {
      unbounded_.push_back(hit);
      return;
    }
    pending_.emplace_back(hit, &r);
    for (const std::string* v : {&r.version, &r.start_including, &r.start_excluding, &r.end_including, &r.end_excluding})
      if (!v->empty()) points_.push_back(*v);
  }

  void build() {
    // A std::set stays memory-safe even if odd version text made the order
    // inconsistent; std::sort would not.
    std::set<std::string, VersionLess> distinct(points_.begin(), points_.end());
    points_.assign(distinct.begin(), distinct.end());
    size_t slots = 2 * points_.size() + 1;
    leaves_ = 1;
    while (leaves_ < slots) leaves_ *= 2;
    tree_.assign(2 * leaves_, {});
    for (const auto& [hit, range] : pending_) {
      auto [lo, hi] = slots_of(*range);
      for (int64_t l = lo + leaves_, r = hi + 1 + leaves_; l < r; l /= 2, r /= 2) {
        if (l & 1) tree_[l++].push_back(hit);
        if (r & 1) tree_[--r].push_back(hit);
      }
    }
    pending_ = {};
  }

  // Appends the ranges whose version bounds admit `version` (every range
  // without bounds; none with bounds when the version is unreported).
  void find(std::string_view version, std::vector<Hit>& out) const {
    out.insert(out.end(), unbounded_.begin(), unbounded_.end());
    if (version.empty()) return;
    for (size_t node = slot_of(version) + leaves_; node >= 1; node /= 2)
      out.insert(out.end(), tree_[node].begin(), tree_[node].end());
  }

 private:
  // 2k+1 when `v` equals points_[k]; 2k when it lies just below points_[k].
  size_t slot_of(std::string_view v) const {
    auto it = std::lower_bound(points_.begin(), points_.end(), v,
                               [](const std::string& p, std::string_view x) { return compare_versions(p, x) < 0; });
    size_t k = static_cast<size_t>(it - points_.begin());
    return 2 * k + (it != points_.end() && compare_versions(*it, v) == 0 ? 1 : 0);
  }

  // The slots a range covers, [lo, hi]; empty when lo > hi. Same semantics
  // as NVD: an exact version, or inclusive/exclusive start and end bounds.
  std::pair<int64_t, int64_t> slots_of(const AffectedRange& r) const {
    auto slot = [&](const std::string& v) { return static_cast<int64_t>(slot_of(v)); };
    if (!r.version.empty()) return {slot(r.version), slot(r.version)};
    int64_t lo = 0, hi = static_cast<int64_t>(2 * points_.size());
    if (!r.start_including.empty()) lo = std::max(lo, slot(r.start_including));
    if (!r.start_excluding.empty()) lo = std::max(lo, slot(r.start_excluding) + 1);
    if (!r.end_including.empty()) hi = std::min(hi, slot(r.end_including));
    if (!r.end_excluding.empty()) hi = std::min(hi, slot(r.end_excluding) - 1);
    return {lo, hi};
  }

  std::vector<Hit> unbounded_;
  std::vector<std::pair<Hit, const AffectedRange*>> pending_;  // until build()
  std::vector<std::string> points_;                             // ascending after build()
  size_t leaves_ = 1;
  std::vector<std::vector<Hit>> tree_;  // node i covers nodes 2i and 2i+1; leaves from leaves_
};

// Product name (after "os:" or "app:") -> its ranges. Most apps on a device
// have no advisory: a bit per key hash (a few KB, stays in cache) answers
// that before the map is touched.
class ProductTable {
 public:
  ProductRanges& operator[](std::string_view name) { return map_[std::string(name)]; }

  void build() {
    size_t words = 1;
    while (words * 64 < map_.size() * 16) words *= 2;  // ~3% false positives
    filter_.assign(words, 0);
    for (auto& [name, ranges] : map_) {
      size_t h = CaseInsensitiveHash{}(name);
      filter_[(h >> 6) & (words - 1)] |= uint64_t{1} << (h & 63);
      ranges.build();
    }
  }

  const ProductRanges* find(std::string_view name) const {
    size_t h = CaseInsensitiveHash{}(name);
    if (!((filter_[(h >> 6) & (filter_.size() - 1)] >> (h & 63)) & 1)) return nullptr;
    auto it = map_.find(name);
    return it == map_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::string, ProductRanges, CaseInsensitiveHash, CaseInsensitiveEqual> map_;
  std::vector<uint64_t> filter_;
};

}  // namespace

int64_t SlaPolicy::for_severity(Severity s) const {
  switch (s) {
    case Severity::low: return low;
    case Severity::medium: return medium;
    case Severity::high: return high;
    case Severity::critical: return critical;
  }
  return medium;
}

struct AdvisoryIndex::Impl {
  std::vector<Advisory> advisories;
  std::vector<Entry> entries;
  ProductTable os, apps;

  void add(const Advisory& a, const SlaPolicy& sla) {
    Severity severity = a.known_exploited ? Severity::critical : a.severity;
    Entry entry{&a, nullptr, severity, a.published + sla.for_severity(severity)};
    // This advisory's entry per product, created on the product's first range.
    std::unordered_map<const ProductRanges*, uint32_t> mine;
    for (uint32_t i = 0; i < a.affected.size(); ++i) {
      const AffectedRange& r = a.affected[i];
      std::string_view product = r.product;
      ProductTable* table = nullptr;
      if (product.starts_with("os:")) {
        table = &os;
        product.remove_prefix(3);
      } else if (product.starts_with("app:")) {
        table = &apps;
        product.remove_prefix(4);
      } else {
        continue;  // not a product a device can run
      }
      ProductRanges& ranges = (*table)[product];
      auto [it, fresh] = mine.try_emplace(&ranges, static_cast<uint32_t>(entries.size()));
      if (fresh) {
        entry.product = &r.product;
        entries.push_back(entry);
      }
      ranges.add(Hit{it->second, i}, r);
    }
  }

  // `first_of_device`: where this device's exposures start in `out`, to
  // check against when the device holds the same app twice.
  void match(const ProductTable& table, std::string_view name, std::string_view version, std::string_view patch_level,
             std::optional<size_t> first_of_device, std::vector<Exposure>& out) const {
    const ProductRanges* ranges = table.find(name);
    if (!ranges) return;
    thread_local std::vector<Hit> hits;
    hits.clear();
    ranges->find(version, hits);
    std::sort(hits.begin(), hits.end());  // advisory order, each entry's ranges together
    for (size_t i = 0; i < hits.size();) {
      const Entry& e = entries[hits[i].entry];
      std::optional<std::string_view> installed;
      for (uint32_t id = hits[i].entry; i < hits.size() && hits[i].entry == id; ++i) {
        const std::string& fixed = e.advisory->affected[hits[i].range].fixed_patch_level;
        if (installed) continue;
        if (fixed.empty()) {
          installed = version;
        } else if (!patch_level.empty() && patch_level < std::string_view(fixed)) {
          installed = patch_level;  // YYYY-MM-DD strings order as dates; unreported never matches
        }
      }
      if (!installed) continue;
      // The same app installed twice (personal and work profile) is one exposure.
      bool seen = first_of_device &&
                  std::any_of(out.begin() + static_cast<std::ptrdiff_t>(*first_of_device), out.end(), [&](const Exposure& x) {
                    return x.advisory == e.advisory && CaseInsensitiveEqual{}(x.product, *e.product);
                  });
      if (!seen) out.push_back(Exposure{e.advisory, *e.product, *installed, e.severity, e.deadline});
    }
  }
};

AdvisoryIndex::AdvisoryIndex(std::vector<Advisory> advisories, SlaPolicy sla) : impl_(std::make_unique<Impl>()) {
  impl_->advisories = std::move(advisories);
  for (const Advisory& a : impl_->advisories) impl_->add(a, sla);
  impl_->os.build();
  impl_->apps.build();
}

AdvisoryIndex::~AdvisoryIndex() = default;
AdvisoryIndex::AdvisoryIndex(AdvisoryIndex&&) noexcept = default;

void AdvisoryIndex::exposures(const Device& device, std::vector<Exposure>& out) const {
  size_t first = out.size();
  if (device.platform != Platform::unknown)
    impl_->match(impl_->os, name_of(device.platform), device.os_version, device.patch_level, std::nullopt, out);
  // Apps with exposures so far: only a second copy of one of them (personal
  // and work profile) needs its exposures checked for duplicates.
  thread_local std::vector<std::string_view> exposed;
  exposed.clear();
  for (const App& app : device.apps) {
    size_t before = out.size();
    bool again = std::any_of(exposed.begin(), exposed.end(), [&](std::string_view id) { return CaseInsensitiveEqual{}(id, app.id); });
    impl_->match(impl_->apps, app.id, app.version, device.patch_level, again ? std::optional<size_t>(first) : std::nullopt, out);
    if (out.size() > before && !again) exposed.push_back(app.id);
  }
}

const std::vector<Advisory>& AdvisoryIndex::advisories() const { return impl_->advisories; }

}  // namespace wardline::posture
