// What `serve` and the `intel` commands share: the warning list and the feed
// of confirmed smishing campaigns.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/config.h"
#include "intel/intel.h"

namespace wardline::smish { class CampaignBook; }
namespace wardline::store { class Store; }

namespace wardline::cli {

// The organisation's own domains (profile `org`, else smish.organization)
// and every domain in intel.warning_lists and `extra_files`.
Result<intel::WarningList> intel_warning_list(const Config& config, const std::string& org,
                                              const std::vector<std::string>& extra_files);

// Confirmed smishing campaigns as a threat-intel feed: what analysts confirm
// in the campaign triage becomes indicators matched against proxy and DNS
// logs, and alerts name the campaign.
constexpr const char* kCampaignFeedName = "smish-campaigns";
Result<intel::LocalFeed> confirmed_campaign_feed(smish::CampaignBook& book);

// After a pull: the indicators `next` has and `previous` had not, against the
// destinations seen in the last intel.retro_hunt_days; each new alert is
// audited through `audit_alert` (taken back if that fails). Old observations
// are dropped. Returns the number of alerts raised.
Result<size_t> retro_hunt(store::Store& store, const Config& config, const intel::IndicatorSet& next,
                          const intel::IndicatorSet* previous, const std::function<Status(const intel::Alert&)>& audit_alert);

}  // namespace wardline::cli
