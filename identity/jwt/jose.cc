#include "identity/jwt/jose.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/ascii_case.h"
#include "core/json_document.h"
#include "core/json_parse.h"
#include "identity/jwt/base64url.h"

namespace tollgate::identity::jwt {
namespace {

constexpr std::array<std::pair<std::string_view, Algorithm>, 8> kAlgorithms{{
    {"RS256", Algorithm::rs256},
    {"RS384", Algorithm::rs384},
    {"RS512", Algorithm::rs512},
    {"PS256", Algorithm::ps256},
    {"ES256", Algorithm::es256},
    {"ES384", Algorithm::es384},
    {"EdDSA", Algorithm::eddsa},
    {"HS256", Algorithm::hs256},
}};

constexpr std::size_t kMaxHeaderBytes = 1024;
constexpr std::size_t kMaxKidBytes = 256;

// Header members that point at a key or change how the token is processed: a token that
// carries them wants the verifier to trust something other than its configuration.
constexpr std::array<std::string_view, 7> kRefusedHeaderMembers{"jwk", "jku", "x5u", "x5c", "crit", "zip", "b64"};

// Member names must be unique: with two "alg" members, which one a library reads differs
// between libraries, and the token must mean one thing.
bool unique_member_names(const rapidjson::Value& object) {
  std::set<std::string_view> names;
  for (const auto& m : object.GetObject()) {
    if (!names.insert(std::string_view(m.name.GetString(), m.name.GetStringLength())).second) return false;
  }
  return true;
}

std::shared_ptr<rapidjson::Document> parse_object(std::string_view text) {
  auto doc = std::make_shared<core::JsonDocument>();
  core::JsonParseOptions options;
  options.max_depth = kMaxClaimsDepth;
  if (core::parse_json(text, *doc, options) || !doc->IsObject() || !unique_member_names(*doc)) return nullptr;
  return doc;
}

bool acceptable_typ(const rapidjson::Value& typ) {
  if (!typ.IsString()) return false;
  auto value = core::ascii_lower(std::string_view(typ.GetString(), typ.GetStringLength()));
  if (value.rfind("application/", 0) == 0) value.erase(0, 12);
  return value == "jwt" || value == "at+jwt";
}

}  // namespace

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  for (const auto& [text, alg] : kAlgorithms) {
    if (text == name) return alg;
  }
  return std::nullopt;
}

std::string_view algorithm_name(Algorithm alg) {
  for (const auto& [text, a] : kAlgorithms) {
    if (a == alg) return text;
  }
  return "?";
}

bool looks_like_jwt(std::string_view credential) {
  // base64url of '{"' is "eyJ"; a JWS has exactly two dots.
  return credential.size() > 3 && credential.substr(0, 3) == "eyJ" &&
         std::count(credential.begin(), credential.end(), '.') == 2;
}

std::optional<ParsedToken> parse_token(std::string_view token) {
  if (token.size() > kMaxTokenBytes || !looks_like_jwt(token)) return std::nullopt;
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const auto header_text = base64url_decode(token.substr(0, first));
  const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header_text || !payload_text || !signature || signature->empty() || header_text->size() > kMaxHeaderBytes) {
    return std::nullopt;
  }
  const auto header = parse_object(*header_text);
  if (!header) return std::nullopt;
  for (const auto name : kRefusedHeaderMembers) {
    if (header->HasMember(rapidjson::StringRef(name.data(), name.size()))) return std::nullopt;
  }
  const auto alg = header->FindMember("alg");
  if (alg == header->MemberEnd() || !alg->value.IsString()) return std::nullopt;
  ParsedToken parsed;
  const auto algorithm = parse_algorithm(std::string_view(alg->value.GetString(), alg->value.GetStringLength()));
  if (!algorithm) return std::nullopt;
  parsed.alg = *algorithm;
  if (const auto typ = header->FindMember("typ"); typ != header->MemberEnd() && !acceptable_typ(typ->value)) {
    return std::nullopt;
  }
  if (const auto kid = header->FindMember("kid"); kid != header->MemberEnd()) {
    if (!kid->value.IsString() || kid->value.GetStringLength() == 0 || kid->value.GetStringLength() > kMaxKidBytes) {
      return std::nullopt;
    }
    parsed.kid = std::string(kid->value.GetString(), kid->value.GetStringLength());
  }
  parsed.claims = parse_object(*payload_text);
  if (!parsed.claims) return std::nullopt;
  parsed.signing_input = std::string(token.substr(0, second));
  parsed.signature = std::move(*signature);
  return parsed;
}

}  // namespace tollgate::identity::jwt
