#pragma once
// Helpers that keep database credentials out of error messages.
#include <string>
#include <string_view>

namespace tollgate::persistence {

// The password part of postgres://user:password@host/…, empty when there is none.
std::string url_password(std::string_view url);

// First line of a driver message with the URL and the password replaced by "[REDACTED]":
// libpq echoes parts of a bad connection string back in its errors.
std::string scrub_message(std::string_view message, std::string_view url, std::string_view password);

// The URL with connect_timeout added when it has none, so an unreachable server fails fast.
std::string with_connect_timeout(const std::string& url, int seconds);

}  // namespace tollgate::persistence
