#pragma once
// Minimal JSON string escaping for hand-built bodies on hot paths.
#include <string>
#include <string_view>

namespace tollgate::core {

// Appends `value` as a quoted JSON string (control characters escaped, UTF-8 kept).
void append_json_string(std::string& out, std::string_view value);

}  // namespace tollgate::core
