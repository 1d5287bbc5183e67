#include "cli/access_support.h"

#include "cli/resources.h"
#include "smish/smish.h"
#include "intel/intel.h"
#include "posture/posture.h"

namespace wardline::cli {

namespace {

struct Loaded {
  std::shared_ptr<const access::Policy> policy;
  std::shared_ptr<const access::Directory> directory;
};

Result<Loaded> load(const Config& config, const AccessFiles& files) {
  std::string policy_path = access_policy_path(config, files.policy);
  std::string directory_path = access_directory_path(config, files.directory);
  auto policy = access::Policy::load(policy_path);
  if (!policy) return policy.error();
  auto directory = access::Directory::load(directory_path);
  if (!directory) return directory.error();
  return Loaded{*policy, std::make_shared<const access::Directory>(std::move(*directory))};
}

}  // namespace

std::string access_directory_path(const Config& config, const std::string& override_path) {
  if (!override_path.empty()) return override_path;
  return !config.access.directory.empty() ? config.access.directory : resource_path("examples/access-directory.csv");
}

std::string access_policy_path(const Config& config, const std::string& override_path) {
  if (!override_path.empty()) return override_path;
  return config.access.policy.empty() ? resource_path("policies/access.yaml") : config.access.policy;
}

Status reload_decision_point(const Config& config, access::DecisionPoint& point) {
  auto loaded = load(config, {});
  if (!loaded) return loaded.error();
  point.use(loaded->policy, loaded->directory);
  return {};
}

Result<std::shared_ptr<access::DecisionPoint>> open_decision_point(const Config& config, const AccessFiles& files,
                                                                  std::shared_ptr<posture::DeviceInventory> inventory,
                                                                  std::shared_ptr<intel::LiveIndicators> indicators,
                                                                  store::Store* store,
                                                                  std::function<bool(const std::string&, int64_t)> ehr_anomaly) {
  auto loaded = load(config, files);
  if (!loaded) return loaded.error();
  access::Sources sources;
  if (inventory)
    sources.device = [inventory](const std::string& id) -> std::optional<std::array<std::string, 3>> {
      auto r = inventory->summary(id);
      if (!r || !*r) return std::nullopt;  // a store error counts as unknown: the policy asks for more
      return std::array<std::string, 3>{std::string(posture::name_of((*r)->state)),
                                        std::string(posture::name_of((*r)->ownership)), (*r)->user};
    };
  if (store) {
    auto history = std::make_shared<access::DeviceHistory>(*store);
    sources.first_use = [history](const std::string& user, const std::string& device, int64_t at) {
      return history->first_use(user, device, at);
    };
  }
  if (store) {
    // Staff who reported a credential-harvesting text are matched through the organisation's directory.
    auto org = smish::load_organization(config.smish.organization.empty() ? resource_path("examples/organization.yaml")
                                                                          : config.smish.organization);
    if (!org) return org.error();
    auto targeted = std::make_shared<smish::TargetedStaff>(*store, org->staff);
    sources.smish_targeted = [targeted](const std::string& user, int64_t at) { return targeted->targeted(user, at); };
  }
  if (indicators)
    sources.intel_hit = [indicators](const std::string& ip) {
      auto set = indicators->current();
      return set && set->match_ip(ip).has_value();
    };
  sources.ehr_anomaly = std::move(ehr_anomaly);
  return std::make_shared<access::DecisionPoint>(loaded->policy, loaded->directory, std::move(sources));
}

}  // namespace wardline::cli
