#include "api/mcp_caller.h"

#include "core/mcp_access.h"

namespace tollgate::api {
namespace {

core::McpServerView server_view(const config::McpServerConfig& server) {
  return core::McpServerView{server.id, server.name, server.access_groups, server.allowed_tools};
}

}  // namespace

mcp::McpCaller mcp_caller(const identity::Caller& caller) {
  mcp::McpCaller out;
  out.label = caller.label;
  // What the decision needs, copied once per request: the key's and team's MCP permissions.
  auto access = std::make_shared<core::McpCaller>();
  access->proxy_admin = caller.kind == identity::CallerKind::master_key || caller.actor.role == core::Role::proxy_admin;
  if (caller.identity) {
    const auto& key = caller.identity->key;
    out.owner = key.token_hash;
    out.api_key_hash = key.token_hash;
    out.user_id = key.user_id;
    out.team_id = key.team_id;
    out.organization_id = key.organization_id;
    access->key = key.object_permission_mcp;
    if (caller.identity->team) access->team = caller.identity->team->object_permission_mcp;
  } else {
    out.owner = "master_key";
  }
  out.may_use_server = [access](const config::McpServerConfig& server) {
    return core::may_use_server(*access, server_view(server));
  };
  out.may_use_tool = [access](const config::McpServerConfig& server, std::string_view tool) {
    return core::may_use_tool(*access, server_view(server), tool);
  };
  return out;
}

}  // namespace tollgate::api
