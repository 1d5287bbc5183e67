// Getting a feed's bytes: a local file, or HTTP(S) with conditional GET
// (If-None-Match / If-Modified-Since), certificates verified.
#pragma once

#include <string>

#include "core/result.h"

namespace wardline::intel {

struct Fetched {
  bool not_modified = false;  // the server answered 304: keep the copy we have
  std::string body;
  std::string etag, last_modified;
};

Result<Fetched> fetch_feed(const std::string& source, const std::string& etag, const std::string& last_modified);

}  // namespace wardline::intel
