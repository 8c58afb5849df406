#include "identity/jwt/jwks_origin.h"

#include <algorithm>
#include <cctype>

namespace tollgate::identity::jwt {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool listed(const http::UpstreamUrl& url, const std::vector<std::string>& allowed_hosts) {
  const auto host = lower(url.host);
  const auto host_port = host + ":" + std::to_string(url.port);
  return std::any_of(allowed_hosts.begin(), allowed_hosts.end(), [&](const std::string& entry) {
    const auto e = lower(entry);
    return e == host || e == host_port;
  });
}

}  // namespace

std::optional<http::UpstreamUrl> allowed_jwks_uri(const http::UpstreamUrl& document, std::string_view jwks_uri,
                                                  const std::vector<std::string>& allowed_hosts) {
  auto url = http::parse_upstream_url(jwks_uri);
  if (!url) return std::nullopt;
  if (document.tls && !url->tls) return std::nullopt;
  const bool same_origin =
      url->tls == document.tls && lower(url->host) == lower(document.host) && url->port == document.port;
  if (!same_origin && !listed(*url, allowed_hosts)) return std::nullopt;
  return url;
}

}  // namespace tollgate::identity::jwt
