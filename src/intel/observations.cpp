// The retro-hunt record: distinct destinations per day in intel_observations.
// A row is (day, kind, value, first/last seen, count, last source): about
// 100-200 bytes on disk with its index for a typical host name or URL path.
#include "core/strings.h"
#include "core/time.h"
#include "intel/intel.h"
#include "intel/observed.h"
#include "store/store.h"

namespace wardline::intel {
namespace {

constexpr int64_t kDay = 86400;
constexpr size_t kMaxValue = 512;  // longer URLs are cut: a destination, not a log line

std::string_view kind_name(ObservedKind k) {
  switch (k) {
    case ObservedKind::host: return "host";
    case ObservedKind::ip: return "ip";
    case ObservedKind::url: return "url";
    default: return "";
  }
}

}  // namespace

void ObservationLog::Batch::add(const Observed& o) {
  std::string buf;
  switch (o.kind) {
    case ObservedKind::host: {
      std::string_view h = canonical_host(o.value, buf);
      if (!h.empty() && !looks_like_ip(h)) ++values_[{ObservedKind::host, std::string(h)}];
      else if (!h.empty()) ++values_[{ObservedKind::ip, std::string(h)}];
      break;
    }
    case ObservedKind::ip: ++values_[{ObservedKind::ip, std::string(o.value.substr(0, 64))}]; break;
    case ObservedKind::url: {
      std::string_view u = canonical_url(o.value, buf);
      if (u.empty()) break;
      u = u.substr(0, u.find('?'));  // the query can carry patient identifiers
      ++values_[{ObservedKind::url, std::string(u.substr(0, kMaxValue))}];
      break;
    }
    case ObservedKind::email:
    case ObservedKind::hash: break;  // not destinations
  }
}

ObservationLog::ObservationLog(store::Store& store) : store_(store) {}

Status ObservationLog::record(const Batch& batch, const std::string& source, int64_t at) {
  if (batch.values_.empty()) return Status::Ok();
  int64_t day = at / kDay * kDay;
  return store_.transaction([&](store::Executor& tx) -> Status {
    for (const auto& [key, count] : batch.values_) {
      auto r = tx.execute(
          "INSERT INTO intel_observations (day, kind, value, first_seen, last_seen, hits, last_source) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, kind, value) DO UPDATE SET last_seen = excluded.last_seen, "
          "hits = intel_observations.hits + excluded.hits, last_source = excluded.last_source",
          {day, std::string(kind_name(key.first)), key.second, at, at, count, source});
      if (!r) return r.error();
    }
    return Status::Ok();
  });
}

Result<std::vector<Sighting>> ObservationLog::hunt(const IndicatorSet& set, const IndicatorSet* previous, int64_t since) {
  auto rows = store_.query("SELECT kind, value, last_seen, hits FROM intel_observations WHERE day >= ? ORDER BY day, value",
                           {since / kDay * kDay});
  if (!rows) return rows.error();
  std::vector<Sighting> out;
  std::string buf;
  for (const auto& r : *rows) {
    std::string kind = r.text(0), value = r.text(1);
    std::optional<Match> m = kind == "host" ? set.match_host(value) : kind == "ip" ? set.match_ip(value) : set.match_url(value);
    if (!m || (previous && previous->contains(m->type, m->value))) continue;
    out.push_back(sighting_of(*m, "retro-hunt", "observed " + kind, value, to_rfc3339(r.integer(2)), r.integer(2)));
  }
  return out;
}

Result<int64_t> ObservationLog::expire(int64_t before) {
  return store_.execute("DELETE FROM intel_observations WHERE day < ?", {before / kDay * kDay});
}

}  // namespace wardline::intel
