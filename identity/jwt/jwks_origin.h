#pragma once
// The origin rule for a `jwks_uri` read from an OpenID discovery document: the document is
// fetched from a URL the operator configured, but its content is the network's, so the keys
// it points at must live at the same origin (scheme, host, port) or on a host the operator
// listed in litellm_jwtauth.allowed_jwks_hosts ("host" or "host:port"). An https document
// never points at plain http. Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/upstream_url.h"

namespace tollgate::identity::jwt {

std::optional<http::UpstreamUrl> allowed_jwks_uri(const http::UpstreamUrl& document, std::string_view jwks_uri,
                                                  const std::vector<std::string>& allowed_hosts);

}  // namespace tollgate::identity::jwt
