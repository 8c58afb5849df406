#include "core/number_text.h"

#include <charconv>

namespace tollgate::core {
namespace {

template <class... Format>
void append_chars(std::string& out, double value, Format... format) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, format...);
  out.append(buffer, result.ptr);  // 64 chars hold any double at the precisions used here
}

}  // namespace

void append_general(std::string& out, double value, int significant) {
  append_chars(out, value, std::chars_format::general, significant);
}

std::string general_text(double value, int significant) {
  std::string out;
  append_general(out, value, significant);
  return out;
}

std::string fixed_text(double value, int decimals) {
  std::string out;
  append_chars(out, value, std::chars_format::fixed, decimals);
  return out;
}

}  // namespace tollgate::core
