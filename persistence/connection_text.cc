#include "persistence/connection_text.h"

namespace tollgate::persistence {
namespace {

constexpr std::string_view kRedacted = "[REDACTED]";

void replace_all(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + kRedacted.size())) {
    text.replace(pos, needle.size(), kRedacted);
  }
}

}  // namespace

// libpq's URI grammar (conninfo_uri_parse_options), not RFC 3986's, so not core::split_url:
// the credentials run to the first '@' before any '/' ('?' and '#' included), the user to the
// first ':'. Splitting otherwise would scrub a text libpq never took for the password.
std::string url_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto credentials = url.substr(scheme_end + 3);
  const auto at = credentials.find_first_of("@/");
  if (at == std::string_view::npos || credentials[at] != '@') return {};
  const auto colon = credentials.find(':');
  if (colon == std::string_view::npos || colon > at) return {};
  return std::string(credentials.substr(colon + 1, at - colon - 1));
}

std::string scrub_message(std::string_view message, std::string_view url, std::string_view password) {
  std::string text(message.substr(0, message.find('\n')));
  replace_all(text, url);
  // Very short passwords would turn ordinary words into "[REDACTED]"; the whole URL is
  // replaced above anyway.
  if (password.size() >= 3) replace_all(text, password);
  return text;
}

std::string with_connect_timeout(const std::string& url, int seconds) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + "connect_timeout=" + std::to_string(seconds);
}

}  // namespace tollgate::persistence
