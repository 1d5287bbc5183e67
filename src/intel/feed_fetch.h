// Getting a feed's bytes: a local file, HTTP(S) with conditional GET
// (If-None-Match / If-Modified-Since), or a TAXII 2.1 collection read from
// where the last pull stopped. Certificates are always verified; secrets for
// authentication are read from files.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "intel/intel.h"

namespace wardline::intel {

struct Fetched {
  bool not_modified = false;  // the server answered 304: keep the copy we have
  std::string body;
  std::string etag, last_modified;
};

Result<Fetched> fetch_feed(const std::string& source, const std::string& etag, const std::string& last_modified,
                           const FeedAccess& access);

// Every object added to a TAXII 2.1 collection after `added_after` (RFC 3339;
// empty: all), following `more` / `next` pages.
struct TaxiiObjects {
  std::vector<std::string> objects;  // each a STIX object as JSON text
  std::string added_last;            // X-TAXII-Date-Added-Last of the last page, or empty
};
Result<TaxiiObjects> fetch_taxii_objects(const std::string& collection_url, const std::string& added_after,
                                         const FeedAccess& access);

}  // namespace wardline::intel
