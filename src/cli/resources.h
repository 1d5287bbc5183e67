// Where data files that ship with Wardline (rules/, models/, examples/) are found.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

#include "core/config.h"
#include "smish/smish.h"

namespace wardline::cli {

// $WARDLINE_SHARE/NAME, else NAME next to the source tree the binary was
// built in (<exe>/../NAME), else ./NAME.
std::string resource_path(const std::string& name);

// Campaign clustering parameters from smish.campaigns.
smish::ClusterParams cluster_params(const CampaignConfig& c);

// The message analyzer from the given rules directory, organisation profile
// and model; an empty path means the one shipped with Wardline.
Result<std::shared_ptr<smish::Analyzer>> load_analyzer(const std::string& rules_dir, const std::string& organization,
                                                       const std::string& model);

}  // namespace wardline::cli
