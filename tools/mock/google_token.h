#pragma once
// Google's OAuth2 token endpoint for service accounts (POST /token, as a key file's token_uri
// names it, and /oauth2/v4/token, gtoken's): a JWT-bearer grant answered with an access token.
// Pure; the handler routes. The assertion is checked for shape only (an RS256 JWS with three
// parts): the mock has no public key; the bytes are checked against google-auth-library in
// tests/unit/providers/google_oauth_oracle_test.cc.
#include <cstdint>
#include <string>
#include <string_view>

namespace tollgate::mock {

bool is_google_token_path(std::string_view path);

struct TokenReply {
  int status = 200;
  std::string body;  // {"access_token","expires_in","token_type"} or {"error","error_description"}
};

inline constexpr int kDefaultTokenLifetime = 3599;  // seconds, as Google grants them

// `sequence` makes each token distinct ("ya29.mock-<sequence>"), so a test can tell a cached
// token from a fresh one; `expires_in` is the lifetime the answer states.
TokenReply answer_token_request(std::string_view form_body, std::uint64_t sequence,
                                int expires_in = kDefaultTokenLifetime);

// The lifetime a token_uri asks for with ?expires_in=N (1..86400), so that tests can make a
// token's refresh come due; kDefaultTokenLifetime otherwise.
int requested_token_lifetime(std::string_view target);

}  // namespace tollgate::mock
