// Internal: YAML helpers shared by the rule and organisation loaders; every
// error names the file, line and column.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace wardline::smish {

Error rule_error(const std::string& file, const YAML::Mark& m, const std::string& why);
// A YAML list of non-empty strings, lower-cased when `lower`.
Result<std::vector<std::string>> strings(const YAML::Node& n, const std::string& file, const char* what, bool lower);

}  // namespace wardline::smish
