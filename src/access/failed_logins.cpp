// Failed sign-ins per user: the identity provider's reports and the tokens
// the decision point refused, counted over a sliding window.
#include <algorithm>

#include "access/access.h"
#include "access/by_user.h"

namespace wardline::access {
namespace {

// Failure times, oldest first. Only the newest kMaxFailedLogins are kept:
// no policy threshold needs more.
using Failures = std::vector<int64_t>;

int within(const Failures& times, int64_t at, int64_t window) {
  return static_cast<int>(times.end() - std::upper_bound(times.begin(), times.end(), at - window));
}

}  // namespace

struct FailedLogins::Impl {
  explicit Impl(size_t max_users) : failures(max_users) {}
  ByUser<Failures> failures;
};

FailedLogins::FailedLogins(size_t max_users) : impl_(std::make_unique<Impl>(max_users)) {}
FailedLogins::~FailedLogins() = default;

int FailedLogins::record(const std::string& user, int64_t at, int64_t window) {
  return impl_->failures.update(user, [&](Failures& times) {
    // Reports may arrive out of order: keep the times sorted.
    times.insert(std::upper_bound(times.begin(), times.end(), at), at);
    times.erase(times.begin(), std::upper_bound(times.begin(), times.end(), at - window));
    if (times.size() > kMaxFailedLogins) times.erase(times.begin(), times.end() - kMaxFailedLogins);
    return within(times, at, window);
  });
}

int FailedLogins::count(const std::string& user, int64_t at, int64_t window) const {
  return impl_->failures.read(user, [&](const Failures* times) { return times ? within(*times, at, window) : 0; });
}

}  // namespace wardline::access
