#pragma once
// std::string_view::starts_with before C++20: one definition for every pure decision in core/
// that matches names and paths by prefix.
#include <string_view>

namespace tollgate::core {

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace tollgate::core
