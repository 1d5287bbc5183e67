#include "audit/jcs.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "core/json_text.h"

namespace wardline::audit {
namespace {

// UTF-8 -> UTF-16 code units, for member ordering.
std::u16string utf16(std::string_view s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (int k = 1; k < len && i + static_cast<size_t>(k) < s.size(); ++k)
      cp = cp << 6 | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3f);
    i += static_cast<size_t>(len);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

// ECMAScript Number.prototype.toString for finite doubles (RFC 8785 §3.2.2.3).
void write_double(double d, std::string& out) {
  if (d == 0) {
    out += "0";
    return;
  }
  char digits[32];
  // Shortest round-trip digits and exponent, from scientific form "d.ddde±x".
  auto r = std::to_chars(digits, digits + sizeof digits, d, std::chars_format::scientific);
  std::string sci(digits, r.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exponent = std::stoi(sci.substr(e + 1));
  mantissa.erase(std::remove(mantissa.begin(), mantissa.end(), '.'), mantissa.end());
  int k = static_cast<int>(mantissa.size()), n = exponent + 1;
  std::string s;
  if (k <= n && n <= 21) {
    s = mantissa + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    s = mantissa.substr(0, static_cast<size_t>(n)) + "." + mantissa.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    s = "0." + std::string(static_cast<size_t>(-n), '0') + mantissa;
  } else {
    std::string exp = (n - 1 >= 0 ? "+" : "-") + std::to_string(std::abs(n - 1));
    s = k == 1 ? mantissa + "e" + exp : mantissa.substr(0, 1) + "." + mantissa.substr(1) + "e" + exp;
  }
  if (negative) out.push_back('-');
  out += s;
}

void write(const nlohmann::json& v, std::string& out) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      std::vector<const std::string*> keys;
      for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(&it.key());
      std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) { return canonical_key_less(*a, *b); });
      out.push_back('{');
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i) out.push_back(',');
        append_json_string(out, *keys[i]);
        out.push_back(':');
        write(v.at(*keys[i]), out);
      }
      out.push_back('}');
      break;
    }
    case nlohmann::json::value_t::array:
      out.push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out.push_back(',');
        write(v[i], out);
      }
      out.push_back(']');
      break;
    case nlohmann::json::value_t::string: append_json_string(out, v.get_ref<const std::string&>()); break;
    case nlohmann::json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case nlohmann::json::value_t::number_integer: out += std::to_string(v.get<int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); break;
    case nlohmann::json::value_t::number_float: {
      double d = v.get<double>();
      if (!std::isfinite(d)) out += "null";  // JSON has no NaN or Infinity
      else write_double(d, out);
      break;
    }
    default: out += "null";
  }
}

}  // namespace

void append_canonical_string(std::string& out, std::string_view s) { append_json_string(out, s); }

bool canonical_key_less(std::string_view a, std::string_view b) {
  auto ascii = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  };
  // For ASCII, UTF-16 code-unit order is byte order.
  if (ascii(a) && ascii(b)) return a < b;
  return utf16(a) < utf16(b);
}

std::string canonical_json(const nlohmann::json& value) {
  std::string out;
  write(value, out);
  return out;
}

}  // namespace wardline::audit
