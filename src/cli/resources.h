// Where data files that ship with Wardline (rules/, models/, examples/) are found.
#pragma once

#include <string>

namespace wardline::cli {

// $WARDLINE_SHARE/NAME, else NAME next to the source tree the binary was
// built in (<exe>/../NAME), else ./NAME.
std::string resource_path(const std::string& name);

}  // namespace wardline::cli
