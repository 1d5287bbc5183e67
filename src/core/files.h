// Whole-file reads and crash-safe writes.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace wardline {

// The file's bytes; `what` names it in the error ("feed", "snapshot", ...).
Result<std::string> read_file(const std::string& path, const std::string& what);
// A secret kept in a file (a token, a client secret, a signing key): the
// content without its trailing newline; a missing, unreadable or empty file
// is an error that says so.
Result<std::string> read_secret_file(const std::string& path, const std::string& what);
// Written to PATH.tmp and renamed into place: readers see the old file or the new one, never half.
Status write_file_atomically(const std::string& path, std::string_view data);

}  // namespace wardline
