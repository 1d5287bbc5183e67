// Reading YAML policy files with errors that name the file, line and column
// and say what was expected: shared by the posture and access policies.
// (Include only where YAML is parsed: yaml-cpp is a heavy header.)
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wardline {

struct YamlReader {
  std::string file;
  std::string code = "invalid_policy";  // the error code of every error

  // "FILE:LINE:COLUMN: why".
  Error error(const YAML::Node& n, const std::string& why) const;
  Result<std::string> scalar(const YAML::Node& n, const std::string& what) const;
  // A value or a list of values.
  Result<std::vector<std::string>> strings(const YAML::Node& n, const std::string& what) const;
  // "90s", "15m", "8h", "30d" -> seconds.
  Result<int64_t> duration(const YAML::Node& n, const std::string& what) const;
  Result<bool> boolean(const YAML::Node& n, const std::string& what) const;
  Result<int> integer(const YAML::Node& n, const std::string& what, int lo, int hi) const;
  // Refuses keys of `map` not in `keys`, listing the ones allowed.
  Status only_keys(const YAML::Node& map, std::initializer_list<std::string_view> keys, const std::string& what) const;
};

}  // namespace wardline
