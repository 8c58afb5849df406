#pragma once
// UTF-8 validation for text that does not arrive as JSON (query strings): the same rules the
// JSON parse applies (core/json_parse.h), so no store ever sees bytes it cannot keep.
#include <string_view>

namespace tollgate::core {

// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
bool is_utf8(std::string_view text);

}  // namespace tollgate::core
