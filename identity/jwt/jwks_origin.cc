#include "identity/jwt/jwks_origin.h"

#include <algorithm>

#include "core/ascii_case.h"

namespace tollgate::identity::jwt {
namespace {

bool listed(const http::UpstreamUrl& url, const std::vector<std::string>& allowed_hosts) {
  const auto host = core::ascii_lower(url.host);
  const auto host_port = host + ":" + std::to_string(url.port);
  return std::any_of(allowed_hosts.begin(), allowed_hosts.end(), [&](const std::string& entry) {
    const auto e = core::ascii_lower(entry);
    return e == host || e == host_port;
  });
}

}  // namespace

std::optional<http::UpstreamUrl> allowed_jwks_uri(const http::UpstreamUrl& document, std::string_view jwks_uri,
                                                  const std::vector<std::string>& allowed_hosts) {
  auto url = http::parse_upstream_url(jwks_uri);
  if (!url) return std::nullopt;
  if (document.tls && !url->tls) return std::nullopt;
  const bool same_origin = url->tls == document.tls &&
                           core::ascii_lower(url->host) == core::ascii_lower(document.host) &&
                           url->port == document.port;
  if (!same_origin && !listed(*url, allowed_hosts)) return std::nullopt;
  return url;
}

}  // namespace tollgate::identity::jwt
