// First use of a device by a user: a risk signal that survives restarts.
#include "access/access.h"
#include "store/store.h"

namespace wardline::access {

DeviceHistory::DeviceHistory(store::Store& store) : store_(store) {}

bool DeviceHistory::first_use(const std::string& user, const std::string& device_id, int64_t at) {
  std::string key = user + '\n' + device_id;
  {
    std::lock_guard lock(mu_);
    if (seen_.contains(key)) return false;
  }
  // Several daemons may race to record the pair: whoever inserts it saw it first.
  auto inserted = store_.execute(
      "INSERT INTO access_device_users (user_name, device_id, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      {user, device_id, at});
  if (!inserted) return false;
  std::lock_guard lock(mu_);
  seen_.insert(std::move(key));
  return *inserted == 1;
}

}  // namespace wardline::access
