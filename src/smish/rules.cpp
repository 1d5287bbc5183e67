#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

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

Status load_file(const std::string& file, Rules& rules) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    return rule_error(file, e.mark, "YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) return rule_error(file, root.Mark(), "expected a mapping with 'lures', 'brands' or 'shorteners'");
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "lures") {
      if (!v.IsSequence()) return rule_error(file, v.Mark(), "'lures' must be a list");
      for (const auto& l : v) {
        if (!l.IsMap() || !l["category"] || !l["reason"]) return rule_error(file, l.Mark(), "a lure needs 'category', 'reason' and 'phrases'");
        auto phrases = strings(l["phrases"], file, "phrases", true);
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
        rules.lures.push_back({l["category"].as<std::string>(), l["reason"].as<std::string>(), weight, *phrases});
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
    } else if (key == "shorteners") {
      auto s = strings(v, file, "shorteners", true);
      if (!s) return s.error();
      rules.shorteners.insert(rules.shorteners.end(), s->begin(), s->end());
    } else {
      return rule_error(file, kv.first.Mark(), "unknown key '" + key + "' (expected lures, brands or shorteners)");
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
