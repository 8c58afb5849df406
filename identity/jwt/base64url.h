#pragma once
// Strict base64url (RFC 4648 §5) as JWS uses it: no padding, no whitespace, and only the
// canonical encoding (unused trailing bits must be zero), so one token has one spelling.
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::identity::jwt {

std::optional<std::string> base64url_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);

}  // namespace tollgate::identity::jwt
