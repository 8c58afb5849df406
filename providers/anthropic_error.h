#pragma once
// Errors in the Anthropic API's shape, for clients of /v1/messages.
#include <string>
#include <string_view>

namespace tollgate::providers {

// {"type":"error","error":{"type":..,"message":..}} for an HTTP status: 400
// invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
// 413 request_too_large, 429 rate_limit_error, 503 and 529 overloaded_error, else api_error.
std::string anthropic_error_body(int status, std::string_view message);

// The error.type for an HTTP status, as above.
std::string_view anthropic_error_type(int status);

}  // namespace tollgate::providers
