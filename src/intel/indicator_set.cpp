// The immutable indicator set and its builder: keys in a CompactTable,
// provenance interned (most indicators of a feed share one).
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bitset>
#include <cstring>
#include <map>
#include <unordered_set>

#include "core/public_suffix.h"
#include "intel/indicator_set_impl.h"
#include "intel/intel.h"
#include "core/ip.h"
#include "intel/observed.h"

namespace wardline::intel {

namespace {

std::atomic<uint64_t> next_set_id{1};

constexpr auto kIpv4 = static_cast<uint8_t>(IndicatorType::ipv4);
constexpr auto kIpv6 = static_cast<uint8_t>(IndicatorType::ipv6);
constexpr auto kDomain = static_cast<uint8_t>(IndicatorType::domain);
constexpr auto kUrl = static_cast<uint8_t>(IndicatorType::url);

// IP keys: the masked address bytes, then the prefix length.
std::string_view ip_key(const IpNetwork& net, char (&buf)[17]) {
  std::copy_n(net.bytes.begin(), net.size(), buf);
  buf[net.size()] = static_cast<char>(net.prefix);
  return {buf, net.size() + 1};
}

std::string display_value(uint8_t type, std::string_view key) {
  if (type != kIpv4 && type != kIpv6) return std::string(key);
  IpNetwork net;
  net.v6 = type == kIpv6;
  std::copy_n(key.begin(), net.size(), net.bytes.begin());
  net.prefix = static_cast<uint8_t>(key[net.size()]);
  return format_ip_network(net);
}

std::optional<Match> match_at(const IndicatorSet::Impl& s, uint32_t off) {
  if (off == CompactTable::kNone) return std::nullopt;
  uint8_t type = s.table.type_at(off);
  return Match{static_cast<IndicatorType>(type), display_value(type, s.table.key_at(off)),
               &s.provenances[s.table.provenance_at(off)]};
}

}  // namespace

// ---------------------------------------------------------------- builder

struct IndicatorSetBuilder::Impl {
  std::unique_ptr<IndicatorSet::Impl> set;
  std::map<std::string, uint32_t> provenance_ids;
  std::unordered_set<std::string> warning;
  // The provenance of the previous add: a feed's indicators mostly share one.
  struct Last {
    std::string feed;
    int confidence = -1;
    std::vector<std::string> labels;
    int64_t valid_from = 0, valid_until = 0;
    uint32_t id = 0;
  } last;

  uint32_t intern(Provenance p) {
    std::sort(p.feeds.begin(), p.feeds.end());
    p.feeds.erase(std::unique(p.feeds.begin(), p.feeds.end()), p.feeds.end());
    std::sort(p.labels.begin(), p.labels.end());
    p.labels.erase(std::unique(p.labels.begin(), p.labels.end()), p.labels.end());
    std::string key = std::to_string(p.confidence) + '\x1e' + std::to_string(p.valid_from) + '\x1e' +
                      std::to_string(p.valid_until);
    for (const auto& f : p.feeds) key += '\x1e' + f;
    key += '\x1d';
    for (const auto& l : p.labels) key += '\x1e' + l;
    auto [it, added] = provenance_ids.emplace(key, static_cast<uint32_t>(set->provenances.size()));
    if (added) set->provenances.push_back(std::move(p));
    return it->second;
  }

  static Provenance merged(const Provenance& a, const Provenance& b) {
    Provenance m = a;
    m.feeds.insert(m.feeds.end(), b.feeds.begin(), b.feeds.end());
    m.labels.insert(m.labels.end(), b.labels.begin(), b.labels.end());
    m.confidence = std::max(a.confidence, b.confidence);
    m.valid_from = a.valid_from && b.valid_from ? std::min(a.valid_from, b.valid_from) : std::max(a.valid_from, b.valid_from);
    m.valid_until = a.valid_until && b.valid_until ? std::max(a.valid_until, b.valid_until) : 0;
    return m;
  }
};

IndicatorSetBuilder::IndicatorSetBuilder(const WarningList& warning) : impl_(std::make_unique<Impl>()) {
  impl_->set = std::make_unique<IndicatorSet::Impl>(0, 0);
  for (const auto& d : warning.domains)
    if (auto n = normalize(IndicatorType::domain, d)) impl_->warning.insert(*n);
}

IndicatorSetBuilder::~IndicatorSetBuilder() = default;

void IndicatorSetBuilder::reserve(size_t records, size_t key_bytes) { impl_->set->table.reserve(records, key_bytes); }

size_t IndicatorSetBuilder::warninglisted() const { return impl_->set->warninglisted; }

Status IndicatorSetBuilder::add(const Indicator& ind, std::string_view feed, int default_confidence) {
  IndicatorSet::Impl& s = *impl_->set;
  auto type = static_cast<uint8_t>(ind.type);
  char ip_buf[17];
  std::string_view key = ind.value;
  if (ind.type == IndicatorType::domain) {
    if (impl_->warning.count(ind.value)) {
      ++s.warninglisted;
      return make_error("warninglisted", "'" + ind.value + "' is on the warning list");
    }
    if (is_public_suffix(ind.value))
      return make_error("public_suffix", "'" + ind.value + "' is a public suffix: it would match every domain registered under it");
  } else if (ind.type == IndicatorType::ipv4 || ind.type == IndicatorType::ipv6) {
    auto net = parse_ip_network(ind.value);
    if (!net) return make_error("invalid_indicator", "'" + ind.value + "' is not an IP address or network");
    if (net->prefix < (net->v6 ? 16 : 8))
      return make_error("too_broad", "'" + ind.value + "' would match a large part of the Internet (wider than /" +
                                         (net->v6 ? "16" : "8") + ")");
    key = ip_key(*net, ip_buf);
    if (net->v6) s.v6_prefixes.set(static_cast<size_t>(net->prefix));
    else s.v4_prefixes.set(static_cast<size_t>(net->prefix));
  }
  int confidence = std::clamp(ind.confidence >= 0 ? ind.confidence : default_confidence, 0, 100);
  Impl::Last& last = impl_->last;
  if (last.confidence != confidence || last.feed != feed || last.labels != ind.labels || last.valid_from != ind.valid_from ||
      last.valid_until != ind.valid_until) {
    Provenance p;
    p.feeds = {std::string(feed)};
    p.confidence = confidence;
    p.labels = ind.labels;
    p.valid_from = ind.valid_from;
    p.valid_until = ind.valid_until;
    last = {std::string(feed), confidence, ind.labels, ind.valid_from, ind.valid_until, impl_->intern(std::move(p))};
  }
  uint32_t id = last.id;
  if (id > CompactTable::kMaxProvenance) return make_error("too_many_provenances", "more than 16M distinct provenance records");
  bool inserted = false;
  uint32_t off = s.table.insert(type, key, id, inserted);
  if (!inserted && s.table.provenance_at(off) != id) {
    uint32_t merged = impl_->intern(Impl::merged(s.provenances[s.table.provenance_at(off)], s.provenances[id]));
    if (merged > CompactTable::kMaxProvenance) return make_error("too_many_provenances", "more than 16M distinct provenance records");
    s.table.set_provenance(off, merged);
  } else {
    ++s.counts[type];
  }
  return Status::Ok();
}

std::shared_ptr<const IndicatorSet> IndicatorSetBuilder::build() {
  impl_->set->table.shrink();
  impl_->provenance_ids.clear();
  impl_->last = {};
  auto out = std::make_shared<const IndicatorSet>(std::move(impl_->set));
  impl_->set = std::make_unique<IndicatorSet::Impl>(0, 0);
  return out;
}

// ---------------------------------------------------------------- set

IndicatorSet::IndicatorSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->id = next_set_id++; }
IndicatorSet::~IndicatorSet() = default;

size_t IndicatorSet::size() const { return impl_->table.size(); }
size_t IndicatorSet::count(IndicatorType type) const { return impl_->counts[static_cast<size_t>(type)]; }
size_t IndicatorSet::warninglisted() const { return impl_->warninglisted; }

size_t IndicatorSet::memory_bytes() const {
  size_t bytes = impl_->table.memory_bytes() + impl_->provenances.capacity() * sizeof(Provenance);
  for (const auto& p : impl_->provenances) {
    for (const auto& f : p.feeds) bytes += sizeof f + f.capacity();
    for (const auto& l : p.labels) bytes += sizeof l + l.capacity();
  }
  return bytes;
}

std::optional<Match> IndicatorSet::match_ip(std::string_view text) const {
  const Impl& s = *impl_;
  bool v6 = text.find(':') != std::string_view::npos;
  if (v6 ? s.v6_prefixes.none() : s.v4_prefixes.none()) return std::nullopt;  // nothing to look for: skip parsing
  auto net = parse_ip_network(text);
  if (!net || net->prefix != (net->v6 ? 128 : 32)) return std::nullopt;
  const auto type = net->v6 ? kIpv6 : kIpv4;
  char buf[17];
  for (int len = net->prefix; len >= 0; --len) {
    if (!(net->v6 ? s.v6_prefixes.test(len) : s.v4_prefixes.test(len))) continue;
    mask_to(*net, len);
    if (auto m = match_at(s, s.table.find(type, ip_key(*net, buf)))) return m;
  }
  return std::nullopt;
}

namespace {

// Logs name the same hosts over and over: each scanning thread remembers the
// outcome of its last few thousand host lookups, so a popular host costs one
// comparison instead of a walk over its parents (each a likely cache miss in
// a table of millions).
struct HostCacheEntry {
  uint64_t set_id = 0;  // never 0 for a real set
  uint32_t offset = 0;
  uint8_t len = 0;
  char host[51];
};
constexpr size_t kHostCacheSize = 4096;
thread_local std::array<HostCacheEntry, kHostCacheSize> host_cache;

// The host, then each parent that still has two labels.
uint32_t walk_parents(const CompactTable& table, std::string_view host) {
  for (size_t i = 0;;) {
    std::string_view d = host.substr(i);
    if (uint32_t off = table.find(kDomain, d); off != CompactTable::kNone) return off;
    size_t dot = i;
    while (dot < host.size() && host[dot] != '.') ++dot;
    if (dot >= host.size()) return CompactTable::kNone;
    i = dot + 1;
    size_t next = i;
    while (next < host.size() && host[next] != '.') ++next;
    if (next >= host.size()) return CompactTable::kNone;
  }
}

}  // namespace

std::optional<Match> IndicatorSet::match_host(std::string_view host) const {
  if (host.empty()) return std::nullopt;
  if (looks_like_ip(host)) return match_ip(host);
  const Impl& s = *impl_;
  if (host.size() > sizeof(HostCacheEntry::host)) return match_at(s, walk_parents(s.table, host));
  HostCacheEntry& e = host_cache[XXH3_64bits(host.data(), host.size()) % kHostCacheSize];
  if (e.set_id == s.id && e.len == host.size() && std::memcmp(e.host, host.data(), host.size()) == 0)
    return match_at(s, e.offset);
  e.set_id = s.id;
  e.len = static_cast<uint8_t>(host.size());
  std::memcpy(e.host, host.data(), host.size());
  e.offset = walk_parents(s.table, host);
  return match_at(s, e.offset);
}

std::optional<Match> IndicatorSet::match_url(std::string_view url) const {
  const Impl& s = *impl_;
  if (s.counts[kUrl] > 0) {
    // Exact, then without the query, then each parent path at a '/' boundary.
    if (auto m = match_at(s, s.table.find(kUrl, url))) return m;
    size_t authority = url.find("://");
    size_t root = authority == std::string_view::npos ? std::string_view::npos : url.find('/', authority + 3);
    if (root != std::string_view::npos) {
      std::string_view path = url.substr(0, url.find('?'));
      if (path.size() != url.size())
        if (auto m = match_at(s, s.table.find(kUrl, path))) return m;
      for (size_t slash = path.rfind('/'); slash != std::string_view::npos && slash >= root; slash = path.rfind('/', slash - 1)) {
        if (slash + 1 < path.size())
          if (auto m = match_at(s, s.table.find(kUrl, path.substr(0, slash + 1)))) return m;
        if (slash > root)
          if (auto m = match_at(s, s.table.find(kUrl, path.substr(0, slash)))) return m;
        if (slash == root) break;
      }
    }
  }
  return match_host(host_of_url(url));
}

std::optional<Match> IndicatorSet::match_exact(IndicatorType type, std::string_view normalized) const {
  return match_at(*impl_, impl_->table.find(static_cast<uint8_t>(type), normalized));
}

bool IndicatorSet::contains(IndicatorType type, std::string_view normalized) const {
  if (type != IndicatorType::ipv4 && type != IndicatorType::ipv6) return match_exact(type, normalized).has_value();
  auto net = parse_ip_network(normalized);
  char buf[17];
  return net && impl_->table.find(static_cast<uint8_t>(type), ip_key(*net, buf)) != CompactTable::kNone;
}

void IndicatorSet::for_each(const std::function<void(IndicatorType, std::string_view, const Provenance&)>& fn) const {
  const Impl& s = *impl_;
  s.table.for_each([&](uint32_t off) {
    uint8_t type = s.table.type_at(off);
    fn(static_cast<IndicatorType>(type), display_value(type, s.table.key_at(off)), s.provenances[s.table.provenance_at(off)]);
  });
}

}  // namespace wardline::intel
