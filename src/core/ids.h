// Random identifiers: "<prefix>_<26 base32 chars>" (128 bits), safe in URLs and logs.
#pragma once

#include <string>

namespace wardline {

std::string new_id(const std::string& prefix);

}  // namespace wardline
