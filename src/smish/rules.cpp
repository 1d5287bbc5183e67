#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "smish/phrases.h"
#include "smish/rules_yaml.h"
#include "smish/smish.h"

namespace wardline::smish {

Error rule_error(const std::string& file, const YAML::Mark& m, const std::string& why) {
  return make_error("invalid_rules", file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": " + why);
}

Result<std::vector<std::string>> strings(const YAML::Node& n, const std::string& file, const char* what, bool lower) {
  if (!n || !n.IsSequence()) return rule_error(file, n.Mark(), std::string("'") + what + "' must be a list of strings");
  std::vector<std::string> out;
  for (const auto& x : n) {
    if (!x.IsScalar() || x.Scalar().empty()) return rule_error(file, x.Mark(), std::string("'") + what + "' holds an empty or non-text item");
    std::string s = x.Scalar();
    if (lower) std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    out.push_back(s);
  }
  return out;
}

namespace {

// A list of phrases in the language of phrases.h, each checked where it stands.
Result<std::vector<std::string>> phrase_list(const YAML::Node& n, const std::string& file) {
  auto phrases = strings(n, file, "phrases", true);
  if (!phrases) return phrases.error();
  for (size_t i = 0; i < phrases->size(); ++i)
    if (std::string why = phrase_problem((*phrases)[i]); !why.empty()) return rule_error(file, n[i].Mark(), why);
  return phrases;
}

Status load_weights(const YAML::Node& v, const std::string& file, VerdictWeights& w) {
  if (!v.IsMap()) return rule_error(file, v.Mark(), "'verdict' must be a mapping of weight names to numbers");
  const std::pair<const char*, int*> ints[] = {
      {"lookalike_domain", &w.lookalike_domain}, {"brand_impersonation", &w.brand_impersonation}, {"ip_link", &w.ip_link},
      {"link_shortener", &w.link_shortener}, {"any_link", &w.any_link}, {"mixed_script", &w.mixed_script}, {"vip_claim", &w.vip_claim}, {"lure_cap", &w.lure_cap},
      {"own_links_only", &w.own_links_only}, {"suspicious_at", &w.suspicious_at},
      {"malicious_smishing_at", &w.malicious_smishing_at}, {"malicious_at", &w.malicious_at},
      {"smishing_when_ham_at", &w.smishing_when_ham_at}, {"strong_link", &w.strong_link}, {"strong_lure", &w.strong_lure},
      {"strong_lure_with_link", &w.strong_lure_with_link}};
  const std::pair<const char*, double*> shares[] = {{"model_weight", &w.model_weight}, {"spam_share", &w.spam_share},
                                                    {"unwanted_below", &w.unwanted_below},
                                                    {"smishing_to_spam", &w.smishing_to_spam}};
  for (const auto& kv : v) {
    std::string key = kv.first.as<std::string>();
    bool known = false;
    for (const auto& [name, field] : ints) {
      if (key != name) continue;
      known = true;
      try {
        *field = kv.second.as<int>();
      } catch (const YAML::Exception&) {
        return rule_error(file, kv.second.Mark(), "'verdict." + key + "' must be an integer from -100 to 100");
      }
      if (*field < -100 || *field > 100)
        return rule_error(file, kv.second.Mark(), "'verdict." + key + "' must be an integer from -100 to 100");
    }
    for (const auto& [name, field] : shares) {
      if (key != name) continue;
      known = true;
      try {
        *field = kv.second.as<double>();
      } catch (const YAML::Exception&) {
        return rule_error(file, kv.second.Mark(), "'verdict." + key + "' must be a number from 0 to 1");
      }
      if (*field < 0 || *field > 1) return rule_error(file, kv.second.Mark(), "'verdict." + key + "' must be a number from 0 to 1");
    }
    if (!known) {
      std::string names;
      for (const auto& [name, f] : ints) names += std::string(names.empty() ? "" : ", ") + name;
      for (const auto& [name, f] : shares) names += std::string(", ") + name;
      return rule_error(file, kv.first.Mark(), "unknown key 'verdict." + key + "' (expected one of: " + names + ")");
    }
  }
  if (w.malicious_smishing_at > w.malicious_at || w.suspicious_at > w.malicious_smishing_at)
    return rule_error(file, v.Mark(), "thresholds must satisfy suspicious_at <= malicious_smishing_at <= malicious_at");
  return {};
}

Status load_file(const std::string& file, Rules& rules) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    return rule_error(file, e.mark, "YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) return rule_error(file, root.Mark(), "expected a mapping with 'lures', 'notices', 'brands', 'shorteners' or 'verdict'");
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "lures") {
      if (!v.IsSequence()) return rule_error(file, v.Mark(), "'lures' must be a list");
      for (const auto& l : v) {
        if (!l.IsMap() || !l["category"] || !l["reason"]) return rule_error(file, l.Mark(), "a lure needs 'category', 'reason' and 'phrases'");
        auto phrases = phrase_list(l["phrases"], file);
        if (!phrases) return phrases.error();
        int weight = 6;
        if (l["weight"]) {
          try {
            weight = l["weight"].as<int>();
          } catch (const YAML::Exception&) {
            return rule_error(file, l["weight"].Mark(), "'weight' must be an integer from 0 to 100");
          }
          if (weight < 0 || weight > 100) return rule_error(file, l["weight"].Mark(), "'weight' must be from 0 to 100");
        }
        bool through_link = false;
        if (l["through_link"]) {
          try {
            through_link = l["through_link"].as<bool>();
          } catch (const YAML::Exception&) {
            return rule_error(file, l["through_link"].Mark(), "'through_link' must be true or false");
          }
        }
        rules.lures.push_back({l["category"].as<std::string>(), l["reason"].as<std::string>(), weight, *phrases, through_link});
      }
    } else if (key == "brands") {
      if (!v.IsSequence()) return rule_error(file, v.Mark(), "'brands' must be a list");
      for (const auto& b : v) {
        if (!b.IsMap() || !b["name"]) return rule_error(file, b.Mark(), "a brand needs 'name', 'domains' and 'keywords'");
        auto domains = strings(b["domains"], file, "domains", true);
        if (!domains) return domains.error();
        auto keywords = strings(b["keywords"], file, "keywords", true);
        if (!keywords) return keywords.error();
        rules.brands.push_back({b["name"].as<std::string>(), *domains, *keywords});
      }
    } else if (key == "first_names") {
      auto names = strings(v, file, "first_names", true);
      if (!names) return names.error();
      rules.first_names.insert(rules.first_names.end(), names->begin(), names->end());
    } else if (key == "notices") {
      if (!v.IsSequence()) return rule_error(file, v.Mark(), "'notices' must be a list");
      for (const auto& n : v) {
        if (!n.IsMap() || !n["name"]) return rule_error(file, n.Mark(), "a notice needs 'name' and 'phrases'");
        auto phrases = phrase_list(n["phrases"], file);
        if (!phrases) return phrases.error();
        rules.notices.push_back({n["name"].as<std::string>(), *phrases});
      }
    } else if (key == "verdict") {
      if (Status st = load_weights(v, file, rules.weights); !st) return st;
    } else if (key == "shorteners") {
      auto s = strings(v, file, "shorteners", true);
      if (!s) return s.error();
      rules.shorteners.insert(rules.shorteners.end(), s->begin(), s->end());
    } else {
      return rule_error(file, kv.first.Mark(), "unknown key '" + key + "' (expected lures, notices, brands, shorteners, first_names or verdict)");
    }
  }
  return {};
}

}  // namespace

Result<Rules> load_rules(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec))
    if (f.path().extension() == ".yaml") files.push_back(f.path().string());
  if (ec || files.empty()) return make_error("invalid_rules", "no rule files (*.yaml) in '" + dir + "'");
  std::sort(files.begin(), files.end());
  Rules rules;
  for (const auto& f : files)
    if (Status s = load_file(f, rules); !s) return s.error();
  return rules;
}

}  // namespace wardline::smish
