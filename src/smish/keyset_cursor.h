// Internal: keyset paging cursors "<time>.<id>", shared by report and campaign lists.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace wardline::smish {

struct KeysetCursor {
  int64_t at = 0;
  std::string id;
};

inline Result<KeysetCursor> parse_keyset_cursor(const std::string& cursor) {
  size_t dot = cursor.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 12 || cursor.find_first_not_of("0123456789") != dot)
    return make_error("invalid_cursor", "cursor must be the next_cursor of a previous page", "cursor");
  return KeysetCursor{std::stoll(cursor.substr(0, dot)), cursor.substr(dot + 1)};
}

inline std::string keyset_cursor(int64_t at, const std::string& id) { return std::to_string(at) + "." + id; }

}  // namespace wardline::smish
