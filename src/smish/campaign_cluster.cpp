// Online campaign clustering: MinHash + LSH over template shingles, shared
// indicators, union-find. Memory per message: its signature (4 bytes per
// hash) and a few slots in flat hash tables.
#include <algorithm>
#include <unordered_map>

#include "core/strings.h"
#include "smish/smish.h"
#include "smish/tokens.h"

namespace wardline::smish {
namespace {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// uint32 -> uint32 open-addressing table (LSH buckets): 8 bytes a slot, no
// per-entry allocation. Key 0 is reserved for "empty".
class FlatIndex {
 public:
  FlatIndex() : slots_(1 << 16) {}
  // The value stored under `key`, or stores `value` and returns it.
  uint32_t find_or_insert(uint32_t key, uint32_t value) {
    if (key == 0) key = 1;
    if ((used_ + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i].key == key) return slots_[i].value;
      if (slots_[i].key == 0) {
        slots_[i] = {key, value};
        ++used_;
        return value;
      }
    }
  }

 private:
  struct Slot {
    uint32_t key = 0, value = 0;
  };
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = mix(s.key) & mask;
      while (slots_[i].key != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace

struct CampaignClusterer::Impl {
  ClusterParams p;
  std::vector<std::string> names;         // sorted, lower-case
  std::vector<std::string> common_hosts;  // ours and the brands' own: never indicators
  std::vector<std::string> shorteners;
  std::vector<uint64_t> seeds;
  std::vector<uint32_t> signatures;  // minhash_hashes per message
  std::vector<uint32_t> parent;
  FlatIndex buckets;
  std::unordered_map<std::string, uint32_t> indicators;  // domain or short URL -> first message
  struct SenderSeen {
    uint32_t index;
    int64_t time;
  };
  std::unordered_map<std::string, SenderSeen> senders;

  uint32_t find(uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  void unite(uint32_t a, uint32_t b) {
    a = find(a), b = find(b);
    if (a == b) return;
    // The earlier message stays the root: labels do not depend on merge order.
    if (a < b) parent[b] = a;
    else parent[a] = b;
  }

  std::vector<size_t>* joined = nullptr;  // add()'s caller's list, while it runs

  // Puts the new message `index` into the cluster of `other`, noting that
  // cluster (by its root, as it was) when it was another one.
  void join(uint32_t index, uint32_t other) {
    uint32_t root = find(other);
    if (root == find(index)) return;
    if (joined) joined->push_back(root);
    unite(index, root);
  }

  double similarity(uint32_t a, uint32_t b) const {
    const uint32_t* x = &signatures[static_cast<size_t>(a) * p.minhash_hashes];
    const uint32_t* y = &signatures[static_cast<size_t>(b) * p.minhash_hashes];
    int same = 0;
    for (int i = 0; i < p.minhash_hashes; ++i) same += x[i] == y[i];
    return static_cast<double>(same) / p.minhash_hashes;
  }

  // Shingles of the template's words, as 64-bit hashes.
  std::vector<uint64_t> shingles(const std::string& tmpl) const {
    std::vector<std::string_view> words;
    size_t start = 0;
    while (start < tmpl.size()) {
      size_t sp = tmpl.find(' ', start);
      if (sp == std::string::npos) sp = tmpl.size();
      words.push_back(std::string_view(tmpl).substr(start, sp - start));
      start = sp + 1;
    }
    std::vector<uint64_t> out;
    size_t k = static_cast<size_t>(p.shingle_words);
    if (words.empty()) return out;
    if (words.size() < k) return {fnv1a(tmpl)};
    for (size_t i = 0; i + k <= words.size(); ++i) {
      uint64_t h = 0;
      for (size_t j = 0; j < k; ++j) h = mix(h ^ fnv1a(words[i + j]));
      out.push_back(h);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  void link_indicators(uint32_t index, const std::string& normalized, const ClusterMessage& m) {
    for (auto chunk : split_chunks(normalized)) {
      Link link;
      if (!parse_link(chunk, link)) continue;
      bool common = std::any_of(common_hosts.begin(), common_hosts.end(), [&](const auto& d) { return on_domain(link.host, d); });
      if (common) continue;
      std::string reg = registrable_domain(link.host);
      // A shortener's domain is shared by everyone: only the same short URL links.
      bool shortened = std::find(shorteners.begin(), shorteners.end(), reg) != shorteners.end();
      std::string key = shortened ? "url:" + ascii_lowercase(link.url.substr(link.url.find("://") + 3)) : "domain:" + reg;
      auto [it, fresh] = indicators.emplace(key, index);
      if (!fresh) join(index, it->second);
    }
    // Phone senders (not alphanumeric sender IDs, which brands share).
    std::string sender;
    for (char c : m.sender)
      if (ascii_digit(c)) sender.push_back(c);
    bool phone = sender.size() >= 7 && std::none_of(m.sender.begin(), m.sender.end(), [](char c) { return ascii_alpha(c); });
    if (!phone) return;
    auto it = senders.find(sender);
    if (it != senders.end()) {
      bool near = m.time == 0 || it->second.time == 0 || std::llabs(m.time - it->second.time) <= p.sender_window_seconds;
      if (near) join(index, it->second.index);
      it->second = {index, m.time};
    } else {
      senders.emplace(sender, SenderSeen{index, m.time});
    }
  }
};

CampaignClusterer::CampaignClusterer(ClusterParams params, const Organization& org, const Rules& rules)
    : impl_(std::make_unique<Impl>()) {
  impl_->p = params;
  impl_->names = rules.first_names;
  for (const auto& s : org.staff) {
    // Tokenised as templates are ("O'Brien" -> "obrien", "Anne-Marie" -> "anne marie").
    size_t start = 0;
    std::string n = message_template(s.name, {});
    while (start < n.size()) {
      size_t sp = n.find(' ', start);
      if (sp == std::string::npos) sp = n.size();
      if (sp > start) impl_->names.push_back(n.substr(start, sp - start));
      start = sp + 1;
    }
  }
  std::sort(impl_->names.begin(), impl_->names.end());
  impl_->names.erase(std::unique(impl_->names.begin(), impl_->names.end()), impl_->names.end());
  impl_->common_hosts = org.domains;
  for (const auto& b : rules.brands) impl_->common_hosts.insert(impl_->common_hosts.end(), b.domains.begin(), b.domains.end());
  impl_->shorteners = rules.shorteners;
  for (int i = 0; i < params.minhash_hashes; ++i) impl_->seeds.push_back(mix(0x5eed0000ull + static_cast<uint64_t>(i)));
}

CampaignClusterer::~CampaignClusterer() = default;

size_t CampaignClusterer::add(const ClusterMessage& m, std::vector<size_t>* joined) {
  Impl& d = *impl_;
  d.joined = joined;
  auto index = static_cast<uint32_t>(d.parent.size());
  d.parent.push_back(index);
  const int hashes = d.p.minhash_hashes;
  std::vector<uint32_t> sig(static_cast<size_t>(hashes), UINT32_MAX);
  std::string normalized = normalize(m.text);  // once, for the template and the indicators
  auto shingles = d.shingles(template_of_normalized(normalized, d.names));
  for (uint64_t s : shingles)
    for (int i = 0; i < hashes; ++i) sig[static_cast<size_t>(i)] = std::min(sig[static_cast<size_t>(i)], static_cast<uint32_t>(mix(s ^ d.seeds[static_cast<size_t>(i)])));
  d.signatures.insert(d.signatures.end(), sig.begin(), sig.end());
  if (!shingles.empty()) {
    int rows = hashes / d.p.lsh_bands;
    for (int b = 0; b < d.p.lsh_bands; ++b) {
      uint64_t h = mix(static_cast<uint64_t>(b) + 1);
      for (int r = 0; r < rows; ++r) h = mix(h ^ sig[static_cast<size_t>(b * rows + r)]);
      uint32_t first = d.buckets.find_or_insert(static_cast<uint32_t>(h), index);
      if (first != index && d.find(first) != d.find(index) && d.similarity(first, index) >= d.p.min_similarity) d.join(index, first);
    }
  }
  d.link_indicators(index, normalized, m);
  d.joined = nullptr;
  return index;
}

size_t CampaignClusterer::campaign_of(size_t index) { return impl_->find(static_cast<uint32_t>(index)); }
size_t CampaignClusterer::size() const { return impl_->parent.size(); }

}  // namespace wardline::smish
