// Staff notices waiting for another attempt at the SMS gateway.
#include "core/ids.h"
#include "smish/smish.h"
#include "store/store.h"

namespace wardline::smish {

std::string staff_key(const StaffMember& m) { return !m.id.empty() ? m.id : !m.email.empty() ? m.email : m.name; }

Status NoticeQueue::add(const std::string& campaign_id, const std::vector<std::string>& staff_keys, const std::string& error,
                        int64_t now) {
  return store_.transaction([&](store::Executor& tx) -> Status {
    for (const auto& key : staff_keys) {
      auto r = tx.execute(
          "INSERT INTO smish_notice_queue (id, campaign_id, staff_key, attempts, next_attempt_at, last_error, created_at) "
          "VALUES (?, ?, ?, 1, ?, ?, ?)",
          {new_id("ntc"), campaign_id, key, now + kFirstRetrySeconds, error, now});
      if (!r) return r.error();
    }
    return {};
  });
}

Result<std::vector<PendingNotice>> NoticeQueue::due(int64_t now, int limit) {
  auto rows = store_.query(
      "SELECT id, campaign_id, staff_key, last_error, attempts FROM smish_notice_queue WHERE next_attempt_at <= ? "
      "ORDER BY next_attempt_at, id LIMIT ?",
      {now, int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<PendingNotice> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), static_cast<int>(r.integer(4))});
  return out;
}

Status NoticeQueue::remove(const std::string& id) {
  auto r = store_.execute("DELETE FROM smish_notice_queue WHERE id = ?", {id});
  if (!r) return r.error();
  return {};
}

Result<bool> NoticeQueue::failed_again(const PendingNotice& n, const std::string& error, int64_t now) {
  int attempts = n.attempts + 1;
  if (attempts >= kMaxAttempts) {
    if (Status s = remove(n.id); !s) return s.error();
    return true;
  }
  int64_t wait = kFirstRetrySeconds << (attempts - 1);
  auto r = store_.execute("UPDATE smish_notice_queue SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                          {int64_t{attempts}, now + wait, error, n.id});
  if (!r) return r.error();
  return false;
}

}  // namespace wardline::smish
