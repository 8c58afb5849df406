// core/jwt_roles: the role a token maps to (a matrix over scopes, IdP roles and what the token
// names) and the route groups each role may call.
#include <catch2/catch.hpp>

#include "core/jwt_roles.h"

using namespace tollgate::core;

namespace {

std::string name_of(const std::optional<JwtRole>& role) {
  return role ? std::string(jwt_role_name(*role)) : std::string("refused");
}

}  // namespace

TEST_CASE("decide_jwt_role: the role matrix", "[core][jwt]") {
  JwtRolePolicy mapped;
  mapped.mappings = {{"admins", JwtRole::proxy_admin},
                     {"viewers", JwtRole::proxy_admin_viewer},
                     {"devs", JwtRole::internal_user},
                     {"readers", JwtRole::internal_user_viewer},
                     {"services", JwtRole::team}};
  JwtRolePolicy strict = mapped;
  strict.enforce_rbac = true;
  JwtRolePolicy no_admin_scope = mapped;
  no_admin_scope.admin_scope = "";
  struct Row {
    const char* what;
    const JwtRolePolicy* policy;
    JwtRoleFacts facts;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"admin scope", &mapped, {{"openid", "litellm_proxy_admin"}, {}, false, false}, "proxy_admin"},
      {"admin scope beats a weaker mapped role",
       &mapped,
       {{"litellm_proxy_admin"}, {"readers"}, true, true},
       "proxy_admin"},
      {"admin scope disabled", &no_admin_scope, {{"litellm_proxy_admin"}, {}, true, false}, "team"},
      {"scope is matched whole", &mapped, {{"litellm_proxy_admin2"}, {}, true, false}, "team"},
      {"mapped admin", &mapped, {{}, {"admins"}, false, false}, "proxy_admin"},
      {"mapped viewer", &mapped, {{}, {"viewers"}, false, false}, "proxy_admin_viewer"},
      {"mapped user", &mapped, {{}, {"devs"}, false, true}, "internal_user"},
      {"mapped read-only user", &mapped, {{}, {"readers"}, false, true}, "internal_user_viewer"},
      {"mapped service", &mapped, {{}, {"services"}, true, false}, "team"},
      {"strongest of several", &mapped, {{}, {"readers", "viewers", "devs"}, true, true}, "proxy_admin_viewer"},
      {"roles are case-sensitive", &mapped, {{}, {"Admins"}, false, true}, "internal_user"},
      {"unmapped, names a team", &mapped, {{}, {"other"}, true, true}, "team"},
      {"unmapped, names only a user", &mapped, {{}, {}, false, true}, "internal_user"},
      {"unmapped, names nobody", &mapped, {{}, {}, false, false}, "team"},
      {"enforce_rbac: unmapped refused", &strict, {{}, {"other"}, true, true}, "refused"},
      {"enforce_rbac: no roles refused", &strict, {{}, {}, true, true}, "refused"},
      {"enforce_rbac: mapped passes", &strict, {{}, {"other", "devs"}, false, true}, "internal_user"},
      {"enforce_rbac: admin scope passes", &strict, {{"litellm_proxy_admin"}, {}, false, false}, "proxy_admin"},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(name_of(decide_jwt_role(*row.policy, row.facts)) == row.expected);
  }
}

TEST_CASE("route groups: LiteLLM's names over Tollgate's routes", "[core][jwt]") {
  const std::vector<std::string> team = {"openai_routes", "info_routes"};
  const std::vector<std::string> admin = {"management_routes", "spend_tracking_routes", "global_spend_tracking_routes",
                                          "info_routes"};
  struct Row {
    const char* path;
    bool team_allowed;
    bool admin_allowed;
  };
  const Row rows[] = {
      {"/v1/chat/completions", true, false},
      {"/chat/completions", true, false},
      {"/v1/completions", true, false},
      {"/v1/embeddings", true, false},
      {"/v1/messages", true, false},
      {"/v1/messages/count_tokens", true, false},
      {"/v1/responses", true, false},
      {"/responses", true, false},
      {"/v1/models", true, true},
      {"/v1/models/gpt-4o", true, false},
      {"/openai/deployments/gpt-4o/chat/completions", true, false},  // Azure OpenAI's shape
      {"/openai/deployments/gpt-4o/completions", true, false},
      {"/openai/deployments/gpt-4o/embeddings", true, false},
      {"/openai/deployments/gpt-4o/audio/speech", false, false},
      {"/openai/deployments//chat/completions", false, false},
      {"/key/info", true, true},
      {"/team/info", true, true},
      {"/key/generate", false, true},
      {"/team/new", false, true},
      {"/user/list", false, true},
      {"/organization/new", false, true},
      {"/budget/new", false, true},
      {"/spend/logs", false, true},
      {"/global/spend", false, true},
      {"/global/spendx", false, false},
      {"/metrics", false, false},
      {"/keyx", false, false},
      {"/config/reload", false, true},
      {"/audit", false, true},
      {"/auditx", false, false},
      {"/v1/mcp/server", false, true},
      {"/mcp", true, false},
      {"/mcp/github", true, false},
      {"/mcpx", false, false},
      {"/model/new", false, true},
  };
  for (const auto& row : rows) {
    INFO(row.path);
    CHECK(route_allowed(team, row.path) == row.team_allowed);
    CHECK(route_allowed(admin, row.path) == row.admin_allowed);
  }
  CHECK(route_allowed({"/v1/chat/completions"}, "/v1/chat/completions"));  // a literal path
  CHECK_FALSE(route_allowed({"/v1/chat/completions"}, "/v1/embeddings"));
  CHECK(authz_role(JwtRole::team) == Role::internal_user);
  CHECK(authz_role(JwtRole::proxy_admin_viewer) == Role::proxy_admin_viewer);
}
