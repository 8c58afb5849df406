#pragma once
// Who a verified token says its caller is, read from its claims with the litellm_jwtauth
// field names (dotted paths allowed): user, email, candidate teams, organization, end user,
// scopes and IdP roles. Pure: the store is asked afterwards (jwt_identity.h).
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "config/jwt_settings.h"
#include "core/jwt_roles.h"

namespace tollgate::identity::jwt {

struct JwtSubject {
  std::optional<std::string> subject;  // `sub`, for labels
  std::optional<std::string> user_id;
  std::optional<std::string> user_email;
  // Teams to try, in order: team_id_jwt_field's value, then team_ids_jwt_field's values, then
  // team_id_default. `upsertable_team` is the one team_id_upsert may create (never a mere group).
  std::vector<std::string> team_candidates;
  std::optional<std::string> upsertable_team;
  std::optional<std::string> organization_id;
  std::optional<std::string> end_user_id;
  core::JwtRoleFacts role_facts;
};

JwtSubject read_subject(const rapidjson::Value& claims, const config::JwtAuthSettings& settings);

core::JwtRolePolicy role_policy(const config::JwtAuthSettings& settings);

}  // namespace tollgate::identity::jwt
