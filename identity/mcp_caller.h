#pragma once
// The MCP permission decision's view of a caller (core/mcp_access.h): proxy_admin for the
// master key and proxy_admin users' keys; the key's and its team's object_permission.
#include "core/mcp_access.h"
#include "identity/authenticator.h"

namespace tollgate::identity {

core::McpCaller mcp_caller(const Caller& caller);

}  // namespace tollgate::identity
