#include "cli/resources.h"

#include <cstdlib>
#include <filesystem>

#include "smish/smish.h"

namespace wardline::cli {

std::string resource_path(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* share = std::getenv("WARDLINE_SHARE"))
    if (fs::exists(fs::path(share) / name, ec)) return (fs::path(share) / name).string();
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
      if (fs::exists(dir / name, ec) && fs::exists(dir / "rules", ec)) return (dir / name).string();
  return name;
}

Result<std::shared_ptr<smish::Analyzer>> load_analyzer(const std::string& rules_dir, const std::string& organization,
                                                       const std::string& model) {
  auto rules = smish::load_rules(rules_dir.empty() ? resource_path("rules") : rules_dir);
  if (!rules) return rules.error();
  auto org = smish::load_organization(organization.empty() ? resource_path("examples/organization.yaml") : organization);
  if (!org) return org.error();
  auto classifier = smish::Classifier::load(model.empty() ? resource_path("models/smish.ftz") : model);
  if (!classifier) return classifier.error();
  return std::make_shared<smish::Analyzer>(std::move(*rules), std::move(*org),
                                           std::shared_ptr<const smish::Classifier>(std::move(*classifier)));
}

smish::ClusterParams cluster_params(const CampaignConfig& c) {
  return {c.minhash_hashes, c.lsh_bands, c.min_similarity, c.shingle_words, static_cast<int64_t>(c.sender_window.count())};
}

}  // namespace wardline::cli
