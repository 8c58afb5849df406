#include "identity/mcp_caller.h"

namespace tollgate::identity {

core::McpCaller mcp_caller(const Caller& caller) {
  core::McpCaller out;
  out.proxy_admin = caller.actor.role == core::Role::proxy_admin && !caller.actor.service_account;
  if (!caller.identity) return out;
  out.key = caller.identity->key.object_permission_mcp;
  if (caller.identity->team) out.team = caller.identity->team->object_permission_mcp;
  return out;
}

}  // namespace tollgate::identity
