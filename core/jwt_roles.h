#pragma once
// What a verified JWT may do: the gateway role its scopes and IdP roles map to
// (LiteLLM's admin_jwt_scope, roles_jwt_field + role_mappings, enforce_rbac) and the route
// groups that role may call (team_allowed_routes / admin_allowed_routes). Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/authz.h"

namespace tollgate::core {

// LiteLLM's internal roles a token can map to. `team` is a service caller acting for its team:
// inference and info routes, no management.
enum class JwtRole { proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer, team };

bool parse_jwt_role(std::string_view text, JwtRole& out);
std::string_view jwt_role_name(JwtRole role);

struct JwtRoleMapping {
  std::string idp_role;  // a value of the roles claim ("gateway-admins")
  JwtRole role = JwtRole::internal_user;
};

struct JwtRolePolicy {
  std::string admin_scope = "litellm_proxy_admin";  // empty: no scope makes an admin
  std::vector<JwtRoleMapping> mappings;
  bool enforce_rbac = false;  // a token none of whose roles is mapped is refused
};

struct JwtRoleFacts {
  std::vector<std::string> scopes;     // `scope` (space-separated) and `scp`
  std::vector<std::string> idp_roles;  // the roles claim's values
  bool has_team = false;               // the claims name a team (or team_id_default applies)
  bool has_user = false;               // the claims name a user
};

// The role, or nullopt when the token must be refused (enforce_rbac and nothing mapped). The
// admin scope wins; otherwise the most privileged mapped role; otherwise `team` for a token
// naming a team, `internal_user` for one naming only a user, `team` for one naming neither (a
// service: inference only, spending no one's budget but its organization's, when it has one).
std::optional<JwtRole> decide_jwt_role(const JwtRolePolicy& policy, const JwtRoleFacts& facts);

// The authorization role (core/authz.h) a JWT role acts as on management routes.
Role authz_role(JwtRole role);

// Route groups, as LiteLLM names them: openai_routes, info_routes, management_routes,
// spend_tracking_routes, global_spend_tracking_routes; any other entry is a literal path.
bool route_in_group(std::string_view group, std::string_view path);
bool route_allowed(const std::vector<std::string>& groups, std::string_view path);

}  // namespace tollgate::core
