// Internal to the response module: what actions and incidents share on
// their way to JSON and back, and their newest-first paging.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <string>

#include "core/time.h"
#include "store/store.h"

namespace wardline::response::detail {

inline nlohmann::json time_or_null(int64_t t) { return t > 0 ? nlohmann::json(to_rfc3339(t)) : nlohmann::json(nullptr); }

inline int64_t time_of(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return 0;
  return parse_rfc3339(j[key].get<std::string>()).value_or(0);
}

// Pages newest first on (time_column, id): the cursor is "<time>.<id>" of
// the previous page's last row. Appends the condition to `sql`.
inline Status after_cursor(const std::string& cursor, const char* time_column, std::string& sql, store::Params& params) {
  size_t dot = cursor.find('.');
  bool digits = dot != std::string::npos && dot > 0 && dot < 19 &&
                std::all_of(cursor.begin(), cursor.begin() + static_cast<long>(dot), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return make_error("invalid_cursor", "the cursor '" + cursor + "' is not one this API gave out");
  int64_t at = std::stoll(cursor.substr(0, dot));
  sql += std::string(" AND (") + time_column + " < ? OR (" + time_column + " = ? AND id < ?))";
  params.insert(params.end(), {at, at, cursor.substr(dot + 1)});
  return {};
}

inline std::string cursor_of(int64_t at, const std::string& id) { return std::to_string(at) + "." + id; }

}  // namespace wardline::response::detail
