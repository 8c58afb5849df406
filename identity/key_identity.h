#pragma once
// Everything the request path needs to know about one virtual key, resolved once from the
// store and then shared read-only by every request that presents the key.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/authz.h"
#include "core/jwt_roles.h"
#include "persistence/records.h"

namespace tollgate::identity {

struct KeyIdentity {
  persistence::KeyRecord key;
  std::optional<persistence::UserRecord> user;  // the key's owner, when it has one
  std::optional<persistence::TeamRecord> team;  // the key's team, with members
  std::optional<persistence::OrganizationRecord> organization;
  // The shared budgets named by key.budget_id and organization->budget_id, loaded with the
  // records: their limits apply where the key's or organization's own are unset.
  std::optional<persistence::BudgetRecord> key_budget;
  std::optional<persistence::BudgetRecord> organization_budget;
  core::Actor actor;  // role and memberships, for the authorization policy
  std::string label;  // key_alias, else "sk-...abcd": safe for logs and metric labels
  // Set for a caller that presented a JWT (identity/jwt/): `key` is then not a stored key but
  // stands for the token (token_hash is the token's hash, expires_at its exp), and the
  // budgets that apply are those of the team, user and organization its claims name.
  std::optional<core::JwtRole> jwt_role;
  std::optional<std::string> end_user_id;  // litellm_jwtauth.end_user_id_jwt_field, for spend logs

  // Expired or blocked keys authenticate nobody (401), like unknown ones.
  bool usable(std::chrono::system_clock::time_point now) const;
};

using KeyIdentityPtr = std::shared_ptr<const KeyIdentity>;

}  // namespace tollgate::identity
