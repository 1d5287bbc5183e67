// Random identifiers: "<prefix>_<26 base32 chars>" (128 bits), safe in URLs and logs.
#pragma once

#include <string>
#include <string_view>

namespace wardline {

std::string new_id(const std::string& prefix);

// RFC 4122 name-based UUID (version 5, SHA-1) in the namespace given as text,
// e.g. "00abedb4-aa42-466c-9c01-fed23315a9b7": the same name, the same id.
std::string uuid_v5(std::string_view namespace_uuid, std::string_view name);

}  // namespace wardline
