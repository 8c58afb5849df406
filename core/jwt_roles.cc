#include "core/jwt_roles.h"

#include <algorithm>
#include <array>

#include "core/starts_with.h"

namespace tollgate::core {
namespace {

constexpr std::array<std::pair<std::string_view, JwtRole>, 5> kRoles{{
    {"proxy_admin", JwtRole::proxy_admin},
    {"proxy_admin_viewer", JwtRole::proxy_admin_viewer},
    {"internal_user", JwtRole::internal_user},
    {"internal_user_viewer", JwtRole::internal_user_viewer},
    {"team", JwtRole::team},
}};

// Higher is more privileged: when a token carries several mapped roles it gets the strongest,
// as membership in several IdP groups grants the union.
int privilege(JwtRole role) {
  switch (role) {
    case JwtRole::proxy_admin: return 5;
    case JwtRole::proxy_admin_viewer: return 4;
    case JwtRole::internal_user: return 3;
    case JwtRole::internal_user_viewer: return 2;
    case JwtRole::team: return 1;
  }
  return 0;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool one_of(std::string_view path, std::initializer_list<std::string_view> paths) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

// Azure OpenAI's shape, /openai/deployments/{model}/chat/completions, …/completions and
// …/embeddings (api/routes.cc), which LiteLLM counts among its openai_routes.
bool azure_deployment_route(std::string_view path) {
  constexpr std::string_view kPrefix = "/openai/deployments/";
  if (!starts_with(path, kPrefix)) return false;
  const std::string_view rest = path.substr(kPrefix.size());
  const auto slash = rest.find('/');
  return slash != 0 && slash != std::string_view::npos &&
         one_of(rest.substr(slash), {"/chat/completions", "/completions", "/embeddings"});
}

bool openai_route(std::string_view path) {
  return one_of(path, {"/v1/chat/completions", "/chat/completions", "/v1/completions", "/completions", "/v1/embeddings",
                       "/embeddings", "/v1/messages", "/v1/messages/count_tokens", "/v1/responses", "/responses",
                       "/v1/models", "/models"}) ||
         starts_with(path, "/v1/models/") || starts_with(path, "/models/") || path == "/mcp" ||
         starts_with(path, "/mcp/") ||  // MCP tools with the same credentials as models
         azure_deployment_route(path);
}

bool info_route(std::string_view path) {
  return one_of(path, {"/key/info", "/team/info", "/user/info", "/organization/info", "/budget/info", "/model/info",
                       "/v1/model/info", "/v2/model/info", "/v1/models", "/models"});
}

// The management and control-plane routes: what a proxy_admin administers.
bool management_route(std::string_view path) {
  for (std::string_view prefix :
       {"/key/", "/team/", "/user/", "/organization/", "/budget/", "/model/", "/v2/model/", "/config/", "/v1/mcp/"}) {
    if (starts_with(path, prefix)) return true;
  }
  return path == "/audit";
}

}  // namespace

bool parse_jwt_role(std::string_view text, JwtRole& out) {
  for (const auto& [name, role] : kRoles) {
    if (name == text) {
      out = role;
      return true;
    }
  }
  return false;
}

std::string_view jwt_role_name(JwtRole role) {
  for (const auto& [name, r] : kRoles) {
    if (r == role) return name;
  }
  return "team";
}

std::optional<JwtRole> decide_jwt_role(const JwtRolePolicy& policy, const JwtRoleFacts& facts) {
  if (!policy.admin_scope.empty() && contains(facts.scopes, policy.admin_scope)) return JwtRole::proxy_admin;
  std::optional<JwtRole> mapped;
  for (const auto& mapping : policy.mappings) {
    if (!contains(facts.idp_roles, mapping.idp_role)) continue;
    if (!mapped || privilege(mapping.role) > privilege(*mapped)) mapped = mapping.role;
  }
  if (mapped) return mapped;
  if (policy.enforce_rbac) return std::nullopt;
  if (facts.has_team) return JwtRole::team;
  if (facts.has_user) return JwtRole::internal_user;
  return JwtRole::team;
}

Role authz_role(JwtRole role) {
  switch (role) {
    case JwtRole::proxy_admin: return Role::proxy_admin;
    case JwtRole::proxy_admin_viewer: return Role::proxy_admin_viewer;
    case JwtRole::internal_user: return Role::internal_user;
    case JwtRole::internal_user_viewer: return Role::internal_user_viewer;
    case JwtRole::team: return Role::internal_user;  // with service_account set by the caller
  }
  return Role::internal_user;
}

bool route_in_group(std::string_view group, std::string_view path) {
  if (group == "openai_routes") return openai_route(path);
  if (group == "info_routes") return info_route(path);
  if (group == "management_routes") return management_route(path);
  if (group == "spend_tracking_routes") return starts_with(path, "/spend/");
  if (group == "global_spend_tracking_routes") return path == "/global/spend" || starts_with(path, "/global/spend/");
  return group == path;
}

bool route_allowed(const std::vector<std::string>& groups, std::string_view path) {
  return std::any_of(groups.begin(), groups.end(),
                     [path](const std::string& group) { return route_in_group(group, path); });
}

}  // namespace tollgate::core
