#include "cli/intel_support.h"

#include <fstream>

#include "cli/resources.h"
#include "core/time.h"
#include "smish/smish.h"

namespace wardline::cli {
namespace {

}  // namespace

Result<intel::WarningList> intel_warning_list(const Config& config, const std::string& org,
                                              const std::vector<std::string>& extra_files) {
  intel::WarningList list;
  std::string org_path = !org.empty() ? org
                         : !config.smish.organization.empty() ? config.smish.organization
                                                              : resource_path("examples/organization.yaml");
  auto profile = smish::load_organization(org_path);
  if (!profile) return profile.error();
  list.domains = profile->domains;
  std::vector<std::string> files = config.intel.warning_lists;
  files.insert(files.end(), extra_files.begin(), extra_files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    if (!in) return make_error("unreadable", "cannot read warning list '" + path + "'");
    std::string line;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find('#'));
      size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
      if (b != std::string::npos) list.domains.push_back(line.substr(b, e - b + 1));
    }
  }
  return list;
}

Result<size_t> retro_hunt(store::Store& store, const Config& config, const intel::IndicatorSet& next,
                          const intel::IndicatorSet* previous, const std::function<Status(const intel::Alert&)>& audit_alert) {
  if (config.intel.retro_hunt_days <= 0) return size_t{0};
  int64_t since = unix_now() - int64_t{config.intel.retro_hunt_days} * 86400;
  intel::ObservationLog observations(store);
  auto sightings = observations.hunt(next, previous, since);
  if (!sightings) return sightings.error();
  intel::AlertBook alerts(store);
  auto changes = alerts.record(*sightings);
  if (!changes) return changes.error();
  for (const auto& a : changes->created)
    if (Status s = audit_alert(a); !s) {
      std::vector<std::string> ids;
      for (const auto& c : changes->created) ids.push_back(c.id);
      (void)alerts.withdraw(ids);
      return s.error();
    }
  if (auto gone = observations.expire(since); !gone) return gone.error();
  return changes->created.size();
}

Result<intel::LocalFeed> confirmed_campaign_feed(smish::CampaignBook& book) {
  intel::LocalFeed feed;
  feed.name = kCampaignFeedName;
  feed.confidence = 90;  // an analyst confirmed it
  std::string cursor;
  do {
    auto page = book.list("confirmed", cursor, 500);
    if (!page) return page.error();
    for (const auto& c : page->campaigns) {
      auto add = [&](intel::IndicatorType type, std::string value) {
        intel::Indicator i;
        i.type = type;
        i.value = std::move(value);
        i.labels = {"smishing", "campaign:" + c.id};
        feed.indicators.push_back(std::move(i));
      };
      for (const auto& d : c.domains) add(intel::IndicatorType::domain, d);
      for (const auto& u : c.urls) add(intel::IndicatorType::url, intel::refang(u));
      for (const auto& s : c.senders)
        add(s.starts_with("+") ? intel::IndicatorType::phone : intel::IndicatorType::sender_id, s);
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return feed;
}

}  // namespace wardline::cli
