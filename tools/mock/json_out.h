#pragma once
// Appending JSON fragments to a string. Responses are hand-built into one buffer: faster than
// a DOM and the shapes are fixed.
#include <cstdint>
#include <string>
#include <string_view>

namespace tollgate::mock {

// Appends `text` as a quoted JSON string, escaping quotes, backslashes and control characters.
void append_json_string(std::string& out, std::string_view text);

void append_uint(std::string& out, std::uint64_t value);
void append_int(std::string& out, std::int64_t value);

// Six decimals: enough for a fake embedding, and locale-independent.
void append_fixed(std::string& out, double value);

}  // namespace tollgate::mock
