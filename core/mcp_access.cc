#include "core/mcp_access.h"

#include <algorithm>

namespace tollgate::core {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool names_server(const std::string& entry, const McpServerView& server) {
  return entry == server.id || entry == server.name;
}

bool grants_server(const McpPermission& permission, const McpServerView& server) {
  const auto named = [&](const std::string& entry) { return names_server(entry, server); };
  if (std::any_of(permission.servers.begin(), permission.servers.end(), named)) return true;
  return std::any_of(server.access_groups.begin(), server.access_groups.end(),
                     [&](const std::string& group) { return contains(permission.access_groups, group); });
}

// A granted server's tool under one permission: allowed unless an entry for the server (by
// id or by name) lists the tools and this one is not among them.
bool grants_tool(const McpPermission& permission, const McpServerView& server, std::string_view tool) {
  bool restricted = false;
  for (const auto& [entry, tools] : permission.tool_permissions) {
    if (!names_server(entry, server)) continue;
    restricted = true;
    if (contains(tools, tool)) return true;
  }
  return !restricted;
}

// The permissions that apply to the caller, each of which must allow: none means no access.
std::vector<const McpPermission*> applicable(const McpCaller& caller) {
  std::vector<const McpPermission*> out;
  if (caller.key) out.push_back(&*caller.key);
  if (caller.team) out.push_back(&*caller.team);
  return out;
}

}  // namespace

bool may_use_server(const McpCaller& caller, const McpServerView& server) {
  if (caller.proxy_admin) return true;
  const auto permissions = applicable(caller);
  if (permissions.empty()) return false;
  return std::all_of(permissions.begin(), permissions.end(),
                     [&](const McpPermission* p) { return grants_server(*p, server); });
}

bool may_use_tool(const McpCaller& caller, const McpServerView& server, std::string_view tool) {
  if (!may_use_server(caller, server)) return false;
  if (!server.allowed_tools.empty() && !contains(server.allowed_tools, tool)) return false;
  if (caller.proxy_admin) return true;
  const auto permissions = applicable(caller);
  return std::all_of(permissions.begin(), permissions.end(),
                     [&](const McpPermission* p) { return grants_tool(*p, server, tool); });
}

}  // namespace tollgate::core
