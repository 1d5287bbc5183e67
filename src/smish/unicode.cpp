// Unicode through ICU: NFKC, UTS #39 confusable skeletons, IDNA (punycode)
// and script mixing. Callers skip all of it for plain ASCII where they can.
#include <unicode/normalizer2.h>
#include <unicode/uidna.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/utf8.h>

#include <set>

#include "core/strings.h"
#include "smish/unicode.h"

namespace wardline::smish {
namespace {

bool ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

const USpoofChecker* spoof_checker() {
  static USpoofChecker* checker = [] {
    UErrorCode err = U_ZERO_ERROR;
    USpoofChecker* c = uspoof_open(&err);
    return U_SUCCESS(err) ? c : nullptr;
  }();
  return checker;
}

const UIDNA* idna() {
  static UIDNA* idna = [] {
    UErrorCode err = U_ZERO_ERROR;
    UIDNA* u = uidna_openUTS46(UIDNA_DEFAULT, &err);
    return U_SUCCESS(err) ? u : nullptr;
  }();
  return idna;
}

}  // namespace

std::string nfkc(std::string_view utf8) {
  if (ascii(utf8)) return std::string(utf8);
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(err);
  if (U_FAILURE(err)) return std::string(utf8);
  // Invalid UTF-8 becomes U+FFFD here: the analysis never sees raw bad bytes.
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString out = n->normalize(in, err);
  if (U_FAILURE(err)) return std::string(utf8);
  std::string result;
  out.toUTF8String(result);
  return result;
}

std::string skeleton(std::string_view utf8) {
  const USpoofChecker* sc = spoof_checker();
  if (!sc || utf8.size() > 1024) return ascii_lowercase(utf8);
  UErrorCode err = U_ZERO_ERROR;
  char buf[4096];
  int32_t n = uspoof_getSkeletonUTF8(sc, 0, utf8.data(), static_cast<int32_t>(utf8.size()), buf, sizeof buf, &err);
  if (U_FAILURE(err) || n < 0 || n >= static_cast<int32_t>(sizeof buf)) return ascii_lowercase(utf8);
  return ascii_lowercase(std::string_view(buf, static_cast<size_t>(n)));
}

std::string host_to_unicode(const std::string& host) {
  if (host.find("xn--") == std::string::npos || !idna()) return host;
  UErrorCode err = U_ZERO_ERROR;
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  char buf[512];
  int32_t n = uidna_nameToUnicodeUTF8(idna(), host.data(), static_cast<int32_t>(host.size()), buf, sizeof buf, &info, &err);
  if (U_FAILURE(err) || n < 0 || n >= static_cast<int32_t>(sizeof buf)) return host;
  return std::string(buf, static_cast<size_t>(n));  // with UTS #46 errors the labels stay as they were decoded
}

std::vector<std::string> scripts_in(std::string_view utf8) {
  std::set<std::string> names;
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  int32_t i = 0, len = static_cast<int32_t>(utf8.size());
  while (i < len) {
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0) continue;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode script = uscript_getScript(c, &err);
    if (U_FAILURE(err) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED || script == USCRIPT_UNKNOWN) continue;
    names.insert(uscript_getName(script));
  }
  return {names.begin(), names.end()};
}

}  // namespace wardline::smish
