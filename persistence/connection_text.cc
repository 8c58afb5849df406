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

std::string url_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto authority_start = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?", authority_start);
  const auto authority =
      url.substr(authority_start,
                 authority_end == std::string_view::npos ? std::string_view::npos : authority_end - authority_start);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  const auto colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return {};
  return std::string(authority.substr(colon + 1, at - colon - 1));
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
