#pragma once
// The caller of /mcp as the MCP endpoint sees it: what it may use and whose session it is.
#include "identity/authenticator.h"
#include "mcp/endpoint.h"

namespace tollgate::api {

// The master key and proxy_admin keys may use every server; other keys what their (and their
// team's) object_permission grants; a key without MCP permissions nothing (docs/mcp.md,
// "Permissions").
mcp::McpCaller mcp_caller(const identity::Caller& caller);

}  // namespace tollgate::api
