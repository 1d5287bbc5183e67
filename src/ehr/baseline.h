// Internal: the bounded state the analytics keeps per user and per peer
// group. Every structure here has a fixed size, so a user costs the same
// bytes on day one and in year three, and the state can be stored as is.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace wardline::ehr {

uint64_t hash_of(std::string_view text);  // xxh3: bucket and set keys, not security
uint32_t short_key(uint64_t hash);        // the 32-bit key sets keep (never 0)

// Distinct items in a window, by linear counting over a 1024-bit bitmap:
// practically exact below ~50 items and within a few percent up to ~2,000,
// in 128 bytes whatever the volume.
struct DistinctSketch {
  std::array<uint64_t, 16> bits{};
  uint16_t set = 0;  // bits set
  void add(uint64_t hash);
  double estimate() const;
  void clear();
};

// The last N values of a count (older ones fall out: the baseline follows
// the user's current habits), with robust summaries.
template <size_t N>
struct Ring {
  std::array<uint16_t, N> values{};
  uint32_t pushed = 0;
  void push(double v);
  size_t size() const { return pushed < N ? pushed : N; }
  double quantile(double q) const;  // 0 when empty
  double mad() const;               // median absolute deviation
};

// A small set of recently seen things (devices, locations, applications),
// the least recently seen replaced when full.
template <size_t N>
struct KnownSet {
  struct Entry {
    uint32_t key = 0;  // 0: free
    uint32_t day = 0;  // last seen, days since the epoch
  };
  std::array<Entry, N> entries{};
  bool contains(uint64_t hash) const;
  void touch(uint64_t hash, int64_t at);  // inserts or refreshes
  size_t size() const;
};

// Keys with the time each was last seen; the stalest replaced when full.
template <size_t N>
struct RecentKeys {
  std::array<uint32_t, N> keys{};
  std::array<uint32_t, N> at{};  // Unix seconds
  void touch(uint32_t key, int64_t t);
  size_t count_since(int64_t t) const;
};

// Which hours of the day someone is active: one count per local hour, every
// count decaying a little with each new active hour (a half-life of about
// 35 active hours, a few weeks of shifts), so an old rota fades out.
struct HourProfile {
  std::array<float, 24> weight{};
  void add_hour(int hour);
  // The share of activity within two hours of `hour` (0..1); 0 when empty:
  // a late finish next to a usual hour is not "off hours".
  double share_near(int hour) const;
  float total() const;
};

struct UserState {
  int64_t first_seen = 0, last_seen = 0;
  int64_t hour = -1;   // current hour bucket (Unix hours)
  int64_t shift = -1;  // current shift bucket
  DistinctSketch hour_patients, shift_patients;
  Ring<32> hourly;     // distinct patients in each of the last 32 active hours
  Ring<16> per_shift;  // ... and in each of the last 16 shifts worked
  HourProfile profile;
  KnownSet<8> devices, locations, applications;
  KnownSet<16> resource_types;
  KnownSet<4> vips_opened;  // VIP charts already alerted on, per day
  // The last located access, for impossible travel.
  float latitude = 0, longitude = 0;
  int64_t located_at = 0;
  uint64_t location_key = 0;
  std::array<char, 40> located_label{};  // for the explanation
  // Lateral movement: the last mobile access, and the other applications
  // and hosts used lately, each with when it was last used.
  int64_t mobile_at = 0;
  uint64_t mobile_device = 0;
  RecentKeys<8> other_apps, other_hosts;
  bool lateral_alerted = false;  // once per mobile session
  // The last place and device alerted on as new: until the user settles
  // there, they teach neither the peer group nor the hospital.
  uint32_t alerted_place = 0, alerted_device = 0;
  // Once per hour, shift or stretch.
  int64_t volume_alerted_hour = -1, volume_alerted_shift = -1, off_hours_alerted_at = 0;
  // The current stretch of off-hours access (accesses less than an hour apart).
  DistinctSketch off_hours_patients;
  int64_t off_hours_from = 0, off_hours_last = 0;
  float off_hours_share = 0;  // of the user's activity near the stretch's first hour
  // The implausible place last alerted on, so one trip is one alert.
  uint32_t travel_alerted_place = 0;
};

struct PeerState {
  Ring<256> hourly;
  Ring<64> per_shift;
  HourProfile profile;
  KnownSet<32> locations;
};

static_assert(std::is_trivially_copyable_v<UserState> && std::is_trivially_copyable_v<PeerState>);

// State as stored text: a format tag, then the bytes in base64. A tag from
// another build (another layout) reads as nothing: that baseline starts over.
template <typename T>
std::string encode_state(const T& state);
template <typename T>
bool decode_state(std::string_view text, T& state);

}  // namespace wardline::ehr
