#include "core/jwt_claims.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tollgate::core {
namespace {

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// A NumericDate (seconds since the epoch, possibly fractional), floored; nullopt when the
// value is not a finite number within int64.
std::optional<std::int64_t> numeric_date(const rapidjson::Value& value) {
  if (value.IsInt64()) return value.GetInt64();
  if (value.IsUint64()) return std::nullopt;  // beyond int64: not a date anyone means
  if (!value.IsDouble()) return std::nullopt;
  const double d = value.GetDouble();
  if (!std::isfinite(d) || d >= 9.2e18 || d <= -9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(std::floor(d));
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) return std::numeric_limits<std::int64_t>::max();
  if (b < 0 && a < std::numeric_limits<std::int64_t>::min() - b) return std::numeric_limits<std::int64_t>::min();
  return a + b;
}

bool audience_matches(const rapidjson::Value& aud, const std::vector<std::string>& accepted) {
  auto accepted_one = [&accepted](const rapidjson::Value& v) {
    return v.IsString() && std::find(accepted.begin(), accepted.end(),
                                     std::string_view(v.GetString(), v.GetStringLength())) != accepted.end();
  };
  if (aud.IsString()) return accepted_one(aud);
  for (const auto& v : aud.GetArray()) {
    if (accepted_one(v)) return true;
  }
  return false;
}

}  // namespace

const rapidjson::Value* find_claim(const rapidjson::Value& claims, std::string_view path) {
  if (const auto* whole = member(claims, path)) return whole;
  const rapidjson::Value* at = &claims;
  while (at != nullptr) {
    const auto dot = path.find('.');
    if (dot == std::string_view::npos) return member(*at, path);
    at = member(*at, path.substr(0, dot));
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

std::optional<std::string> claim_text(const rapidjson::Value* claim) {
  if (claim == nullptr) return std::nullopt;
  if (claim->IsString()) return std::string(claim->GetString(), claim->GetStringLength());
  if (claim->IsInt64()) return std::to_string(claim->GetInt64());
  if (claim->IsUint64()) return std::to_string(claim->GetUint64());
  return std::nullopt;
}

std::vector<std::string> claim_strings(const rapidjson::Value* claim) {
  std::vector<std::string> out;
  if (claim == nullptr) return out;
  if (claim->IsArray()) {
    for (const auto& v : claim->GetArray()) {
      if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
  }
  if (!claim->IsString()) return out;
  std::string_view text(claim->GetString(), claim->GetStringLength());
  while (!text.empty()) {
    const auto space = text.find(' ');
    const auto word = text.substr(0, space);
    if (!word.empty()) out.emplace_back(word);
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

std::string_view claim_problem_name(ClaimProblem problem) {
  switch (problem) {
    case ClaimProblem::none: return "none";
    case ClaimProblem::malformed: return "malformed";
    case ClaimProblem::missing_exp: return "missing_exp";
    case ClaimProblem::expired: return "expired";
    case ClaimProblem::not_yet_valid: return "not_yet_valid";
    case ClaimProblem::issued_in_future: return "issued_in_future";
    case ClaimProblem::wrong_issuer: return "wrong_issuer";
    case ClaimProblem::wrong_audience: return "wrong_audience";
  }
  return "unknown";
}

ClaimProblem check_claims(const rapidjson::Value& claims, const ClaimPolicy& policy, std::int64_t now) {
  if (!claims.IsObject()) return ClaimProblem::malformed;
  const auto leeway = std::max<std::int64_t>(policy.leeway_seconds, 0);
  const auto* exp = member(claims, "exp");
  if (exp == nullptr) return ClaimProblem::missing_exp;
  const auto exp_at = numeric_date(*exp);
  if (!exp_at) return ClaimProblem::malformed;
  if (now >= saturating_add(*exp_at, leeway)) return ClaimProblem::expired;
  if (const auto* nbf = member(claims, "nbf")) {
    const auto nbf_at = numeric_date(*nbf);
    if (!nbf_at) return ClaimProblem::malformed;
    if (now < saturating_add(*nbf_at, -leeway)) return ClaimProblem::not_yet_valid;
  }
  if (const auto* iat = member(claims, "iat")) {
    const auto iat_at = numeric_date(*iat);
    if (!iat_at) return ClaimProblem::malformed;
    if (*iat_at > saturating_add(now, leeway)) return ClaimProblem::issued_in_future;
  }
  if (policy.issuer) {
    const auto* iss = member(claims, "iss");
    if (iss == nullptr || !iss->IsString() ||
        std::string_view(iss->GetString(), iss->GetStringLength()) != *policy.issuer) {
      return ClaimProblem::wrong_issuer;
    }
  }
  const auto* aud = member(claims, "aud");
  if (aud == nullptr) return ClaimProblem::wrong_audience;
  if (!aud->IsString() && !aud->IsArray()) return ClaimProblem::malformed;
  if (!audience_matches(*aud, policy.audiences)) return ClaimProblem::wrong_audience;
  return ClaimProblem::none;
}

}  // namespace tollgate::core
