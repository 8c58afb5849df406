#include "tools/mock/json_out.h"

#include <charconv>
#include <cmath>

namespace tollgate::mock {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t clean_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      continue;
    }
    out.append(text.data() + clean_from, i - clean_from);
    clean_from = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(text.data() + clean_from, text.size() - clean_from);
  out += '"';
}

void append_uint(std::string& out, std::uint64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

void append_int(std::string& out, std::int64_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

void append_fixed(std::string& out, double value) {
  // Integer arithmetic rather than printf: no locale, no format parsing.
  const bool negative = value < 0;
  const auto micros = static_cast<std::int64_t>(std::llround(std::fabs(value) * 1e6));
  if (negative && micros != 0) {
    out += '-';
  }
  append_int(out, micros / 1000000);
  out += '.';
  const auto fraction = static_cast<int>(micros % 1000000);
  char digits[6];
  int rest = fraction;
  for (int i = 5; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  }
  out.append(digits, sizeof digits);
}

}  // namespace tollgate::mock
