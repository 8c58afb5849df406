#pragma once
// Google service-account credentials and the OAuth2 JWT-bearer grant (RFC 7523) that trades
// them for an access token, as google-auth-library does it (its gtoken): an RS256 assertion
// {"alg":"RS256"} . {iss, scope, aud = token_uri, exp = iat + 3600, iat}, POSTed as a form to
// the token_uri. Pure: the caller does the HTTP exchange and keeps the token.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tollgate::providers::vertex {

inline constexpr std::string_view kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
inline constexpr std::string_view kGoogleTokenUri = "https://oauth2.googleapis.com/token";
// google-auth-library refreshes a token this long before it expires (eagerRefreshThresholdMillis).
inline constexpr std::int64_t kRefreshMarginSeconds = 300;
// The gateway starts that refresh a minute earlier, in the background, so that under steady
// traffic no request finds the token past the margin (providers/vertex/token_source.h).
inline constexpr std::int64_t kEagerRefreshSeconds = kRefreshMarginSeconds + 60;

struct ServiceAccount {
  std::string client_email;
  std::string private_key;  // PEM: a secret, never logged
  std::string token_uri;    // the key file's, else kGoogleTokenUri
  std::string project_id;
};

// A service-account key file's JSON ("type": "service_account"); a 400-class error naming the
// missing field otherwise (never quoting the key).
core::Result<ServiceAccount> parse_service_account(std::string_view json);

// The signed assertion for `scope` at `now_seconds` (unix time).
core::Result<std::string> jwt_bearer_assertion(const ServiceAccount& account, std::string_view scope,
                                               std::int64_t now_seconds);

// The application/x-www-form-urlencoded body of the token request.
std::string token_request_body(std::string_view assertion);

struct AccessToken {
  std::string token;            // a secret, never logged
  std::int64_t expires_at = 0;  // unix seconds
};

// {"access_token", "expires_in", "token_type": "Bearer"} → the token and when it expires.
core::Result<AccessToken> parse_token_response(std::string_view body, std::int64_t now_seconds);

// True once the token is within kRefreshMarginSeconds of its expiry (or past it): not used any more.
inline bool needs_refresh(const AccessToken& token, std::int64_t now_seconds) {
  return token.token.empty() || now_seconds >= token.expires_at - kRefreshMarginSeconds;
}

// True once a background refresh is due: within kEagerRefreshSeconds of the expiry, or no token.
inline bool refresh_due(const AccessToken& token, std::int64_t now_seconds) {
  return token.token.empty() || now_seconds >= token.expires_at - kEagerRefreshSeconds;
}

}  // namespace tollgate::providers::vertex
