// Small string algorithms shared across modules.
#pragma once

#include <cstddef>
#include <string_view>

namespace wardline {

// Levenshtein distance (insertions, deletions, substitutions), O(|a|·|b|).
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace wardline
