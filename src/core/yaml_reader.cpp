#include "core/yaml_reader.h"

#include <algorithm>
#include <charconv>

#include "core/config.h"

namespace wardline {

Error YamlReader::error(const YAML::Node& n, const std::string& why) const {
  const YAML::Mark m = n.Mark();
  std::string where = file;
  if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  return make_error(code, where + ": " + why);
}

Result<std::string> YamlReader::scalar(const YAML::Node& n, const std::string& what) const {
  if (!n.IsScalar()) return error(n, what + " must be a single value");
  return n.Scalar();
}

Result<std::vector<std::string>> YamlReader::strings(const YAML::Node& n, const std::string& what) const {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) return error(n, what + " must be a value or a list of values");
  for (const auto& item : n) {
    if (!item.IsScalar()) return error(item, what + " must hold single values");
    out.push_back(item.Scalar());
  }
  return out;
}

Result<int64_t> YamlReader::duration(const YAML::Node& n, const std::string& what) const {
  if (!n.IsScalar()) return error(n, what + " must be a duration such as 15m, 8h or 30d");
  auto d = parse_duration(n.Scalar());
  if (!d) return error(n, what + ": " + d.error().message);
  return static_cast<int64_t>(d->count());
}

Result<bool> YamlReader::boolean(const YAML::Node& n, const std::string& what) const {
  auto s = scalar(n, what);
  if (!s) return s.error();
  if (*s == "true" || *s == "yes") return true;
  if (*s == "false" || *s == "no") return false;
  return error(n, what + " must be true or false");
}

Result<int> YamlReader::integer(const YAML::Node& n, const std::string& what, int lo, int hi) const {
  auto s = scalar(n, what);
  if (!s) return s.error();
  int v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size() || v < lo || v > hi)
    return error(n, what + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

Status YamlReader::only_keys(const YAML::Node& map, std::initializer_list<std::string_view> keys, const std::string& what) const {
  for (const auto& kv : map) {
    const std::string k = kv.first.Scalar();
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
    std::string list;
    for (auto key : keys) list += (list.empty() ? "" : ", ") + std::string(key);
    return error(kv.first, "unknown key '" + k + "' in " + what + "; expected one of: " + list);
  }
  return {};
}

}  // namespace wardline
