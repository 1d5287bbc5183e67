// From records to kept alerts: parse, score, store, audit.
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "audit/audit.h"
#include "ehr/ehr.h"
#include "siem/siem.h"
#include "store/store.h"

namespace wardline::ehr {
namespace {

std::string siem_severity(const std::string& s) {
  if (s == "critical") return "critical";
  if (s == "high") return "error";
  if (s == "medium") return "warning";
  return "notice";
}

siem::SecurityEvent alert_event(const Alert& a, const std::string& source) {
  auto e = siem::make_event("ehr.alert", "success");
  e.severity = siem_severity(a.severity);
  e.actor = source;
  e.subject = a.user;
  if (auto ip = a.details.find("source_ip"); ip != a.details.end()) e.source_ip = ip->second;
  e.details = a.details;
  e.details["alert"] = a.id;
  e.details["kind"] = a.kind;
  e.details["alert_severity"] = a.severity;
  e.details["user"] = a.user;
  e.details["explanation"] = a.explanation;
  return e;
}

}  // namespace

Result<IngestOutcome> ingest(std::string_view text, Format format, const PatientKey& key, Analytics& analytics,
                             AlertBook& book, audit::Recorder& recorder, const std::string& source) {
  IngestOutcome out;
  out.stats = parse_events(text, format, key, [&](const AccessEvent& e) { analytics.observe(e, out.alerts); }, &out.problems);
  for (const auto& a : out.alerts) {
    if (Status st = book.add(a); !st) return st.error();
    if (auto r = recorder.record(alert_event(a, source)); !r) {
      (void)book.remove(a.id);
      return make_error(r.error().code, "EHR alert " + a.id + " not kept: its audit record failed: " + r.error().message);
    }
  }
  return out;
}

struct RiskSignal::Impl {
  store::Store& store;
  double half_life_hours, signal_at;
  std::mutex mu;
  struct Cached {
    bool elevated = false;
    int64_t checked_at = 0;
  };
  std::unordered_map<std::string, Cached> cache;
};

RiskSignal::RiskSignal(store::Store& store, double half_life_hours, double signal_at)
    : impl_(new Impl{store, half_life_hours, signal_at, {}, {}}) {}
RiskSignal::~RiskSignal() = default;

bool RiskSignal::elevated(const std::string& user, int64_t at) {
  constexpr int64_t kCacheSeconds = 60;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->cache.find(user);
    if (it != impl_->cache.end() && at >= it->second.checked_at && at - it->second.checked_at < kCacheSeconds)
      return it->second.elevated;
  }
  AlertBook book(impl_->store);
  auto risk = book.risk(user, at, impl_->half_life_hours);
  bool elevated = risk && *risk >= impl_->signal_at;
  std::lock_guard lock(impl_->mu);
  if (impl_->cache.size() > 100000) impl_->cache.clear();  // bounded: a cache, not a record
  impl_->cache[user] = {elevated, at};
  return elevated;
}

}  // namespace wardline::ehr
