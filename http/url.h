#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tollgate::http {

// Decodes %XX and '+' (as space) of a query component; nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);

// The decoded value of `name` in a query string "a=1&b=2"; nullopt when absent; a 400 naming
// the parameter when its escape is malformed (a typo must not read as "no filter").
core::Result<std::optional<std::string>> query_value(std::string_view query, std::string_view name);

}  // namespace tollgate::http
