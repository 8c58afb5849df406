#pragma once
#include <string_view>

namespace tollgate::core {

// Compares two secrets in time that depends only on their lengths, never on where they differ.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace tollgate::core
