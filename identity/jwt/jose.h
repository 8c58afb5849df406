#pragma once
// A compact JWS split and parsed under strict limits, before anything is trusted: the
// header's algorithm must be one Tollgate verifies, and a header that names its own key
// (jwk, jku, x5u, x5c), asks for extensions (crit), compression (zip) or an unencoded payload
// (b64) is refused. The payload is parsed but nothing in it is believed until the signature
// and the claims have been checked.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace tollgate::identity::jwt {

enum class Algorithm { rs256, rs384, rs512, ps256, es256, es384, eddsa, hs256 };
std::optional<Algorithm> parse_algorithm(std::string_view name);  // "none" and unknown → nullopt
std::string_view algorithm_name(Algorithm alg);

constexpr std::size_t kMaxTokenBytes = 8192;  // larger Authorization headers are not JWTs we accept
constexpr int kMaxClaimsDepth = 16;

struct ParsedToken {
  Algorithm alg = Algorithm::rs256;
  std::optional<std::string> kid;
  std::string signing_input;                    // "header.payload" as sent: what the signature covers
  std::string signature;                        // decoded bytes
  std::shared_ptr<rapidjson::Document> claims;  // the payload: a JSON object
};

// True when `credential` has a JWS's shape (three base64url parts, a JSON header first), so
// the JWT path answers for it; virtual keys ("sk-…") never have it.
bool looks_like_jwt(std::string_view credential);

// nullopt for anything malformed or refused (the caller answers every one with the same 401).
std::optional<ParsedToken> parse_token(std::string_view token);

}  // namespace tollgate::identity::jwt
