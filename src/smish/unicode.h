// Internal: Unicode helpers for the analyzer (ICU stays out of smish.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wardline::smish {

// NFKC: fullwidth and mathematical letters become plain ones ("ｅｐｉｃ" -> "epic").
std::string nfkc(std::string_view utf8);
// UTS #39 confusable skeleton, lower-cased: two strings that look alike get
// the same skeleton ("lakesіdemed" with a Cyrillic i, "1akesidemed" and
// "lakesidemed" alike).
std::string skeleton(std::string_view utf8);
// "xn--" labels decoded to Unicode (UTS #46); other hosts unchanged.
std::string host_to_unicode(const std::string& host);
// Names of the scripts of the letters in `utf8` (Common and Inherited left out).
std::vector<std::string> scripts_in(std::string_view utf8);

}  // namespace wardline::smish
