#pragma once
// Pure checks on a verified JWT's claims (RFC 7519): exp / nbf / iat against a clock with
// leeway, iss and aud by exact match, and claims read by dotted path ("realm_access.roles").
// Nothing here trusts the token: the signature is checked before (identity/jwt/).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace tollgate::core {

// The claim at `path`, following one object member per dot; null when absent or when a step is
// not an object. A member whose own name contains dots is found first (Keycloak and Azure use
// URLs as claim names): "https://example.com/roles" is looked up whole before it is split.
const rapidjson::Value* find_claim(const rapidjson::Value& claims, std::string_view path);

// A claim as text: a string, or an integer written in decimal. nullopt for anything else.
std::optional<std::string> claim_text(const rapidjson::Value* claim);

// A claim as a list of strings: an array's string elements, or a string split on spaces
// (OAuth's `scope`). Empty for anything else.
std::vector<std::string> claim_strings(const rapidjson::Value* claim);

struct ClaimPolicy {
  std::optional<std::string> issuer;   // unset: `iss` is not checked
  std::vector<std::string> audiences;  // `aud` must contain one of them; empty: refuse every token
  std::int64_t leeway_seconds = 0;
};

enum class ClaimProblem {
  none,
  malformed,         // a time claim that is not a number, an `aud` that is not a string or list
  missing_exp,       // every token must expire
  expired,           // now >= exp + leeway
  not_yet_valid,     // now < nbf - leeway
  issued_in_future,  // iat > now + leeway
  wrong_issuer,
  wrong_audience,
};
std::string_view claim_problem_name(ClaimProblem problem);

ClaimProblem check_claims(const rapidjson::Value& claims, const ClaimPolicy& policy, std::int64_t now_seconds);

}  // namespace tollgate::core
