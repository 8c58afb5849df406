#pragma once
#include <string>
#include <string_view>

namespace tollgate::providers {

// Anthropic's error body {"type":"error","error":{"type","message"}} for an HTTP status.
std::string anthropic_error_body(int status, std::string_view message);

}  // namespace tollgate::providers
