// The compiled indicator set on disk (docs/intel-snapshot-format.md): what
// `intel feed pull` writes and scans and the daemon load in milliseconds,
// instead of re-reading and normalising every feed.
#include <xxhash.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "intel/indicator_set_impl.h"
#include "intel/le_bytes.h"
#include "intel/intel.h"

namespace wardline::intel {
namespace {

constexpr std::string_view kMagic = "WLINTEL1";


Error corrupt(const std::string& path, const std::string& why) {
  return make_error("corrupt_snapshot", "indicator snapshot '" + path + "' is damaged (" + why +
                                            "); run 'wardline intel feed pull' to rebuild it");
}

}  // namespace

// Friend access through the pimpl: the snapshot needs the set's insides.
struct SnapshotAccess {
  static const IndicatorSet::Impl& impl(const IndicatorSet& set) { return *set.impl_; }
};

Status save_snapshot(const IndicatorSet& set, const std::string& path) {
  const IndicatorSet::Impl& s = SnapshotAccess::impl(set);
  std::string out(kMagic);
  put_u64(out, s.warninglisted);
  for (size_t c : s.counts) put_u64(out, c);
  for (size_t i = 0; i < s.v4_prefixes.size(); ++i) out += s.v4_prefixes.test(i) ? '\1' : '\0';
  for (size_t i = 0; i < s.v6_prefixes.size(); ++i) out += s.v6_prefixes.test(i) ? '\1' : '\0';
  s.table.save(out);
  nlohmann::json provenances = nlohmann::json::array();
  for (const auto& p : s.provenances)
    provenances.push_back({{"feeds", p.feeds}, {"confidence", p.confidence}, {"labels", p.labels},
                           {"valid_from", p.valid_from}, {"valid_until", p.valid_until}});
  std::string json = provenances.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  put_u64(out, json.size());
  out += json;
  put_u64(out, XXH64(out.data(), out.size(), 0));
  return write_file_atomically(path, out);  // a scan never sees half a snapshot
}

namespace {

// Reads the snapshot piece by piece straight into the set's vectors, hashing
// as it goes: no second copy of the file in memory.
class SnapshotReader {
 public:
  explicit SnapshotReader(std::ifstream& in) : in_(in), state_(XXH64_createState()) { XXH64_reset(state_, 0); }
  ~SnapshotReader() { XXH64_freeState(state_); }
  bool read(char* out, size_t n) {
    if (!in_.read(out, static_cast<std::streamsize>(n))) return false;
    XXH64_update(state_, out, n);
    return true;
  }
  bool u64(uint64_t& v) {
    char b[8];
    if (!read(b, 8)) return false;
    std::string_view in(b, 8);
    return get_u64(in, v);
  }
  uint64_t digest() const { return XXH64_digest(state_); }

 private:
  std::ifstream& in_;
  XXH64_state_t* state_;
};

}  // namespace

Result<std::shared_ptr<const IndicatorSet>> load_snapshot(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error("no_snapshot", "no indicator snapshot at '" + path + "': add feeds with 'wardline intel feed add' "
                                           "and compile them with 'wardline intel feed pull', or pass --feeds");
  f.seekg(0, std::ios::end);
  auto size = static_cast<uint64_t>(f.tellg());
  f.seekg(0);
  SnapshotReader in(f);
  char magic[8];
  if (size < kMagic.size() + 8 || !in.read(magic, 8) || std::string_view(magic, 8) != kMagic)
    return corrupt(path, "not a Wardline indicator snapshot, or another version");
  auto impl = std::make_unique<IndicatorSet::Impl>(0, 0);
  uint64_t v;
  if (!in.u64(v)) return corrupt(path, "truncated header");
  impl->warninglisted = v;
  for (size_t& c : impl->counts) {
    if (!in.u64(v)) return corrupt(path, "truncated header");
    c = v;
  }
  char bits[33 + 129];
  if (!in.read(bits, sizeof bits)) return corrupt(path, "truncated header");
  for (size_t i = 0; i < 33; ++i) impl->v4_prefixes.set(i, bits[i] != 0);
  for (size_t i = 0; i < 129; ++i) impl->v6_prefixes.set(i, bits[33 + i] != 0);
  if (!CompactTable::load([&](char* out, size_t n) { return in.read(out, n); }, size, impl->table))
    return corrupt(path, "inconsistent table");
  if (!in.u64(v) || v > size) return corrupt(path, "truncated provenance");
  std::string json(v, '\0');
  if (!in.read(json.data(), json.size())) return corrupt(path, "truncated provenance");
  uint64_t computed = in.digest(), stored;
  char tail[8];
  if (!f.read(tail, 8)) return corrupt(path, "no checksum");
  std::string_view t(tail, 8);
  get_u64(t, stored);
  if (stored != computed) return corrupt(path, "checksum mismatch");
  auto provenances = nlohmann::json::parse(json, nullptr, false);
  if (!provenances.is_array()) return corrupt(path, "provenance is not a JSON array");
  try {
    for (const auto& p : provenances)
      impl->provenances.push_back({p.at("feeds").get<std::vector<std::string>>(), p.at("confidence").get<int>(),
                                   p.at("labels").get<std::vector<std::string>>(), p.at("valid_from").get<int64_t>(),
                                   p.at("valid_until").get<int64_t>()});
  } catch (const nlohmann::json::exception& e) {
    return corrupt(path, std::string("provenance: ") + e.what());
  }
  bool references_ok = true;
  impl->table.for_each([&](uint32_t off) { references_ok &= impl->table.provenance_at(off) < impl->provenances.size(); });
  if (!references_ok) return corrupt(path, "a record names a provenance that does not exist");
  return std::shared_ptr<const IndicatorSet>(std::make_shared<const IndicatorSet>(std::move(impl)));
}

}  // namespace wardline::intel
