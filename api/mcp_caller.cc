#include "api/mcp_caller.h"

namespace tollgate::api {

mcp::McpCaller mcp_caller(const identity::Caller& caller) {
  mcp::McpCaller out;
  out.label = caller.label;
  const bool admin = caller.kind == identity::CallerKind::master_key || caller.actor.role == core::Role::proxy_admin;
  if (caller.identity) {
    const auto& key = caller.identity->key;
    out.owner = key.token_hash;
    out.api_key_hash = key.token_hash;
    out.user_id = key.user_id;
    out.team_id = key.team_id;
    out.organization_id = key.organization_id;
  } else {
    out.owner = "master_key";
  }
  out.may_use_server = [admin](const config::McpServerConfig&) { return admin; };
  out.may_use_tool = [admin](const config::McpServerConfig&, std::string_view) { return admin; };
  return out;
}

}  // namespace tollgate::api
