#include "ehr/baseline.h"

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/crypto.h"

namespace wardline::ehr {

uint64_t hash_of(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

void DistinctSketch::add(uint64_t hash) {
  uint64_t bit = hash % (bits.size() * 64);
  uint64_t& word = bits[bit / 64];
  uint64_t mask = uint64_t{1} << (bit % 64);
  if (!(word & mask)) {
    word |= mask;
    ++set;
  }
}

double DistinctSketch::estimate() const {
  const double m = bits.size() * 64.0;
  if (set >= m) return m * std::log(m);  // saturated: "at least this many"
  return -m * std::log((m - set) / m);
}

void DistinctSketch::clear() {
  bits.fill(0);
  set = 0;
}

template <size_t N>
void Ring<N>::push(double v) {
  values[pushed % N] = static_cast<uint16_t>(std::clamp(std::lround(v), 0L, 65535L));
  ++pushed;
}

template <size_t N>
double Ring<N>::quantile(double q) const {
  size_t n = size();
  if (n == 0) return 0;
  std::array<uint16_t, N> sorted = values;
  std::sort(sorted.begin(), sorted.begin() + n);
  double pos = q * (n - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, n - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

template <size_t N>
double Ring<N>::mad() const {
  size_t n = size();
  if (n == 0) return 0;
  double median = quantile(0.5);
  std::array<double, N> dev{};
  for (size_t i = 0; i < n; ++i) dev[i] = std::abs(values[i] - median);
  std::nth_element(dev.begin(), dev.begin() + n / 2, dev.begin() + n);
  return dev[n / 2];
}

template struct Ring<16>;
template struct Ring<32>;
template struct Ring<64>;
template struct Ring<256>;

uint32_t short_key(uint64_t hash) {
  auto k = static_cast<uint32_t>(hash ^ (hash >> 32));
  return k == 0 ? 1 : k;  // 0 marks a free slot
}

namespace {
uint32_t day_of(int64_t at) { return static_cast<uint32_t>(std::max<int64_t>(at, 0) / 86400); }
}  // namespace

template <size_t N>
bool KnownSet<N>::contains(uint64_t hash) const {
  uint32_t k = short_key(hash);
  return std::any_of(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == k; });
}

template <size_t N>
void KnownSet<N>::touch(uint64_t hash, int64_t at) {
  uint32_t k = short_key(hash);
  Entry* oldest = &entries[0];
  for (auto& e : entries) {
    if (e.key == k) {
      e.day = std::max(e.day, day_of(at));
      return;
    }
    if (e.key == 0 || (oldest->key != 0 && e.day < oldest->day)) oldest = &e;
  }
  *oldest = {k, day_of(at)};
}

template <size_t N>
size_t KnownSet<N>::size() const {
  return std::count_if(entries.begin(), entries.end(), [](const Entry& e) { return e.key != 0; });
}

template struct KnownSet<4>;
template struct KnownSet<8>;
template struct KnownSet<16>;
template struct KnownSet<32>;

template <size_t N>
void RecentKeys<N>::touch(uint32_t key, int64_t t) {
  size_t slot = 0;
  for (size_t i = 0; i < N; ++i) {
    if (keys[i] == key) {
      slot = i;
      break;
    }
    if (at[i] < at[slot]) slot = i;
  }
  keys[slot] = key;
  at[slot] = static_cast<uint32_t>(std::clamp<int64_t>(t, 0, UINT32_MAX));
}

template <size_t N>
size_t RecentKeys<N>::count_since(int64_t t) const {
  size_t n = 0;
  for (size_t i = 0; i < N; ++i) n += keys[i] != 0 && at[i] >= t;
  return n;
}

template struct RecentKeys<8>;

void HourProfile::add_hour(int hour) {
  constexpr float kDecay = 0.98f;  // per active hour: half-life ~35 active hours
  for (auto& w : weight) w *= kDecay;
  weight[static_cast<size_t>(hour) % 24] += 1;
}

float HourProfile::total() const {
  float t = 0;
  for (float w : weight) t += w;
  return t;
}

double HourProfile::share_near(int hour) const {
  float t = total();
  if (t <= 0) return 0;
  float near = 0;
  for (int d = -2; d <= 2; ++d) near += weight[static_cast<size_t>((hour + d + 24) % 24)];
  return near / t;
}

namespace {
// Layout fingerprint: a build that changes a state struct writes a new tag.
template <typename T>
std::string state_tag() {
  return std::string(std::is_same_v<T, UserState> ? "u" : "p") + std::to_string(sizeof(T)) + ":";
}
}  // namespace

template <typename T>
std::string encode_state(const T& state) {
  std::string bytes(sizeof(T), '\0');
  std::memcpy(bytes.data(), &state, sizeof(T));
  return state_tag<T>() + crypto::base64url_encode(bytes);
}

template <typename T>
bool decode_state(std::string_view text, T& state) {
  std::string tag = state_tag<T>();
  if (text.substr(0, tag.size()) != tag) return false;
  auto bytes = crypto::base64url_decode(text.substr(tag.size()));
  if (!bytes || bytes->size() != sizeof(T)) return false;
  std::memcpy(&state, bytes->data(), sizeof(T));
  return true;
}

template std::string encode_state<UserState>(const UserState&);
template std::string encode_state<PeerState>(const PeerState&);
template bool decode_state<UserState>(std::string_view, UserState&);
template bool decode_state<PeerState>(std::string_view, PeerState&);

}  // namespace wardline::ehr
