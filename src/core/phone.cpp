// Phone numbers in E.164 through libphonenumber (kept out of every header:
// its includes pull in protobuf and abseil).
#include <phonenumbers/phonenumberutil.h>

#include "core/phone.h"

namespace wardline {

std::optional<std::string> to_e164(std::string_view raw, std::string_view default_region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  if (raw.empty() || raw.size() > 64) return std::nullopt;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string text(raw);
  // WhatsApp sends international numbers without the leading '+'.
  if (text.find_first_not_of("0123456789") == std::string::npos && text.size() > 10) text = "+" + text;
  PhoneNumber number;
  if (util.Parse(text, std::string(default_region), &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (!util.IsPossibleNumber(number)) return std::nullopt;
  std::string out;
  util.Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

}  // namespace wardline
