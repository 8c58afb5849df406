#pragma once
// general_settings.enable_jwt_auth + general_settings.litellm_jwtauth (LiteLLM's names;
// docs/jwt.md): who may call with a JWT from the operator's identity provider, and which
// team, user and organization the token's claims name.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tollgate::config {

struct JwtRoleMappingSetting {
  std::string role;           // a value of the roles claim
  std::string internal_role;  // proxy_admin | proxy_admin_viewer | internal_user | internal_user_viewer | team
};

struct JwtAuthSettings {
  bool enabled = false;
  std::vector<std::string> public_key_urls;  // JWKS or OpenID discovery URLs (JWT_PUBLIC_KEY_URL)
  std::vector<std::string> allowed_jwks_hosts;
  std::optional<std::string> issuer;
  std::vector<std::string> audiences;  // required (or JWT_AUDIENCE): a token for another service is refused
  std::chrono::seconds leeway{0};
  std::chrono::seconds public_key_ttl{600};
  std::chrono::milliseconds jwks_refetch_interval{10'000};  // least time between two JWKS fetches
  std::string hmac_secret;  // HS256 only with this (≥ 32 bytes); a secret: never logged
  std::optional<std::string> user_id_jwt_field;
  std::optional<std::string> user_email_jwt_field;
  std::optional<std::string> team_id_jwt_field;
  std::optional<std::string> team_ids_jwt_field;
  std::optional<std::string> team_id_default;
  std::optional<std::string> org_id_jwt_field;
  std::optional<std::string> end_user_id_jwt_field;
  std::optional<std::string> roles_jwt_field;
  std::vector<JwtRoleMappingSetting> role_mappings;
  std::string admin_jwt_scope = "litellm_proxy_admin";
  bool user_id_upsert = false;
  bool team_id_upsert = false;
  bool enforce_rbac = false;
  std::vector<std::string> team_allowed_routes{"openai_routes", "info_routes"};
  std::vector<std::string> admin_allowed_routes{"management_routes", "spend_tracking_routes",
                                                "global_spend_tracking_routes", "info_routes"};
};

}  // namespace tollgate::config
