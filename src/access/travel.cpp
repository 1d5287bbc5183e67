// Impossible travel: two located sign-ins of one user further apart than
// anyone could travel in the time between them. Each location is a circle
// (the database's accuracy radius), so only the distance between the
// circles counts: a city-level guess never makes a short trip impossible.
#include <cmath>
#include <cstdlib>
#include <limits>

#include "access/access.h"
#include "access/by_user.h"

namespace wardline::access {
namespace {

struct LastSignIn {
  bool known = false;
  int64_t at = 0;
  double latitude = 0, longitude = 0;
  int accuracy_km = 0;
  std::string country;  // two letters: no allocation
};

// 7400 -> "7,400".
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "40 s", "25 min", "1.5 h", "20 h".
std::string span(int64_t seconds) {
  if (seconds < 60) return std::to_string(seconds) + " s";
  if (seconds < 3600) return std::to_string(seconds / 60) + " min";
  int64_t tenths = (seconds * 10 + 1800) / 3600;
  if (tenths >= 100 || tenths % 10 == 0) return std::to_string((tenths + 5) / 10) + " h";
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " h";
}

std::string place(const std::string& country) { return country.empty() ? "an unknown country" : country; }

}  // namespace

struct TravelTracker::Impl {
  explicit Impl(size_t max_users) : last(max_users) {}
  ByUser<LastSignIn> last;
};

TravelTracker::TravelTracker(size_t max_users) : impl_(std::make_unique<Impl>(max_users)) {}
TravelTracker::~TravelTracker() = default;

std::optional<std::string> TravelTracker::observe(const std::string& user, const GeoLocation& where, int64_t at, double max_kmh) {
  if (!where.located) return std::nullopt;
  return impl_->last.update(user, [&](LastSignIn& last) -> std::optional<std::string> {
    if (last.known) {
      double km = distance_km(last.latitude, last.longitude, where.latitude, where.longitude) - last.accuracy_km -
                  where.accuracy_km;
      int64_t elapsed = std::llabs(at - last.at);
      double kmh = elapsed ? km * 3600 / static_cast<double>(elapsed) : std::numeric_limits<double>::infinity();
      if (km > 0 && kmh > max_kmh) {
        // The remembered sign-in stays: an impostor abroad must not make
        // the real user's next sign-in at home look impossible.
        std::string distance = grouped(std::llround(km)) + " km";
        if (!elapsed) return "signed in from " + place(where.country) + " at the same time as from " + place(last.country) + ": " + distance + " apart";
        return "signed in from " + place(where.country) + " " + span(elapsed) + (at > last.at ? " after " : " before ") +
               place(last.country) + ": " + distance + " at " + grouped(std::llround(kmh)) + " km/h";
      }
      if (at < last.at) return std::nullopt;  // reported late: the newer sign-in stays the one to compare with
    }
    last = {true, at, where.latitude, where.longitude, where.accuracy_km, where.country};
    return std::nullopt;
  });
}

}  // namespace wardline::access
