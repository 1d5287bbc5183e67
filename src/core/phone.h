// Phone numbers in E.164, for the staff directory, SMS senders and phone indicators.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wardline {

// "+14155550123" for "(415) 555-0123" in region "US"; nullopt when it is not a phone number.
std::optional<std::string> to_e164(std::string_view raw, std::string_view default_region);

}  // namespace wardline
