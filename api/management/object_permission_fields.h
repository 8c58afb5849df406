#pragma once
// LiteLLM's object_permission on /key/generate|update and /team/new|update bodies: its MCP part
// (mcp_servers, mcp_access_groups, mcp_tool_permissions) is kept and enforced
// (core/mcp_access.h); its other members (vector_stores, agents, …) are restrictions Tollgate
// does not enforce, so a value that sets one is a 400 naming it.
#include <optional>

#include "api/management/body_reader.h"
#include "core/mcp_access.h"

namespace tollgate::api {

// Absent: `permission` stays. null, or MCP members that set nothing: nullopt (the key or team
// sets none; a key then has its team's). Otherwise the MCP members as given.
void apply_object_permission(const BodyReader& body, std::optional<core::McpPermission>& permission);

}  // namespace tollgate::api
