#pragma once
// Who may use which MCP server and tool: LiteLLM's object_permission, decided without I/O.
//
// A key and its team may each carry an McpPermission. The effective grant is:
//   - proxy_admin (master key, proxy_admin role): every server; tools as the server allows;
//   - neither key nor team sets one: nothing (the documented default: no MCP access);
//   - only one of them sets one: that one;
//   - both: both must allow (a key never exceeds its team).
// A permission grants a server by naming its id or name in `servers`, or by sharing one of
// the server's access groups. `tool_permissions` narrows the tools of a granted server (an
// entry under the server's id or name lists the only tools; no entry = every tool); it grants
// no server by itself. The server's own `allowed_tools` (non-empty) applies to everyone.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core {

struct McpPermission {                                               // the MCP part of LiteLLM's object_permission
  std::vector<std::string> servers;                                  // mcp_servers: server ids or names
  std::vector<std::string> access_groups;                            // mcp_access_groups
  std::map<std::string, std::vector<std::string>> tool_permissions;  // mcp_tool_permissions: server → tools

  bool operator==(const McpPermission& other) const {
    return servers == other.servers && access_groups == other.access_groups &&
           tool_permissions == other.tool_permissions;
  }
};

struct McpServerView {  // what the decision needs to know about one server
  std::string id;
  std::string name;
  std::vector<std::string> access_groups;
  std::vector<std::string> allowed_tools;  // the server's own allowlist; empty = every tool
};

struct McpCaller {                    // from identity::Caller
  bool proxy_admin = false;           // master key / proxy_admin: every server
  std::optional<McpPermission> key;   // nullopt: the key sets none
  std::optional<McpPermission> team;  // nullopt: no team, or the team sets none
};

bool may_use_server(const McpCaller& caller, const McpServerView& server);
bool may_use_tool(const McpCaller& caller, const McpServerView& server, std::string_view tool);

}  // namespace tollgate::core
