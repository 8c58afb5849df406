#pragma once
#include <cstdint>
#include <string_view>

namespace tollgate::http {

enum class Method : std::uint8_t { get, head, post, put, patch, delete_, options, unknown };

std::string_view method_name(Method method);
Method parse_method(std::string_view text);

}  // namespace tollgate::http
