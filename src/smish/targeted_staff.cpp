// Staff recently targeted by credential theft, for the access decision
// point's smish_targeted signal: a nurse who reported a fake EHR login text
// yesterday may have typed her password into it before she reported it.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/strings.h"
#include "smish/smish.h"
#include "store/store.h"

namespace wardline::smish {
namespace {

constexpr int64_t kCacheSeconds = 60;
constexpr size_t kMaxCached = 100000;
const std::vector<std::string> kCredentialLures = {"credential_harvesting", "mfa_code_theft"};

}  // namespace

TargetedStaff::TargetedStaff(store::Store& store, std::vector<StaffMember> staff, int64_t window_seconds)
    : store_(store), staff_(std::move(staff)), window_(window_seconds) {}

std::vector<std::string> TargetedStaff::reporters_of(const std::string& user) const {
  std::string upn = ascii_lowercase(user);
  std::vector<std::string> out{user, "staff:" + user};
  if (size_t at = user.find('@'); at != std::string::npos && at > 0) out.push_back(user.substr(0, at));
  for (const auto& s : staff_)
    if (!s.email.empty() && ascii_lowercase(s.email) == upn) {
      if (!s.id.empty()) out.push_back("staff:" + s.id);
      out.push_back("staff:" + s.email);
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool TargetedStaff::targeted(const std::string& user, int64_t at) {
  if (user.empty()) return false;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(user);
    if (it != cache_.end() && at >= it->second.checked_at && at - it->second.checked_at < kCacheSeconds) return it->second.targeted;
  }
  auto reporters = reporters_of(user);
  std::string sql = "SELECT analysis FROM smish_reports WHERE class = 'smishing' AND created_at >= ? AND reporter IN (";
  store::Params params{at - window_};
  for (size_t i = 0; i < reporters.size(); ++i) sql += i ? ", ?" : "?", params.push_back(reporters[i]);
  sql += ")";
  auto rows = store_.query(sql, params);
  // A store error counts as not targeted: the signal only ever adds risk.
  bool targeted = false;
  if (rows)
    for (const auto& row : *rows) {
      auto analysis = nlohmann::json::parse(row.text(0), nullptr, false);
      if (!analysis.is_object() || !analysis.contains("categories") || !analysis["categories"].is_array()) continue;
      for (const auto& c : analysis["categories"])
        if (c.is_string() && std::find(kCredentialLures.begin(), kCredentialLures.end(), c.get<std::string>()) != kCredentialLures.end())
          targeted = true;
    }
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_[user] = {targeted, at};
  return targeted;
}

}  // namespace wardline::smish
