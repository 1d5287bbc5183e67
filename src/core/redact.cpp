#include "core/redact.h"

#include <cctype>

namespace wardline {

std::string redacted(std::string_view v) {
  return "[redacted " + std::to_string(v.size()) + " bytes]";
}

namespace {
bool is_phone_char(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '(' ||
         c == ')' || c == '.' || c == '+';
}
bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}
bool is_email_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         c == '+' || c == '%';
}
}  // namespace

std::string redact_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    // "Bearer <token>" and Wardline tokens "wl_<...>"
    if (in.substr(i, 7) == "Bearer " || in.substr(i, 3) == "wl_") {
      size_t start = in.substr(i, 7) == "Bearer " ? i + 7 : i;
      size_t j = start;
      while (j < in.size() && is_token_char(in[j])) ++j;
      if (j > start + 3) {
        out.append(in.substr(i, start - i)).append("[redacted token]");
        i = j;
        continue;
      }
    }
    // e-mail: expand around '@'
    if (in[i] == '@' && i > 0 && is_email_char(in[i - 1])) {
      size_t start = out.size();
      while (start > 0 && is_email_char(out[start - 1])) --start;
      size_t j = i + 1;
      while (j < in.size() && is_email_char(in[j])) ++j;
      out.resize(start);
      out += "[redacted email]";
      i = j;
      continue;
    }
    // phone-like: a run of phone characters holding at least 7 digits
    if (std::isdigit(static_cast<unsigned char>(in[i])) || in[i] == '+') {
      size_t j = i, digits = 0;
      while (j < in.size() && is_phone_char(in[j])) digits += std::isdigit(static_cast<unsigned char>(in[j++])) != 0;
      if (digits >= 7) {
        while (j > i && !std::isdigit(static_cast<unsigned char>(in[j - 1]))) --j;  // keep trailing punctuation
        out += "[redacted number]";
        i = j;
        continue;
      }
    }
    out.push_back(in[i++]);
  }
  return out;
}

}  // namespace wardline
