// The MCP permission decision (core/mcp_access.h) as a table: who may use which server and tool.
#include <catch2/catch.hpp>

#include "core/mcp_access.h"

using namespace tollgate::core;

namespace {

const McpServerView kFiles{"srv-1", "files", {"dev"}, {}};
const McpServerView kDb{"srv-2", "db", {"ops"}, {"query", "schema"}};  // the server allows two tools

McpPermission servers(std::vector<std::string> names) { return McpPermission{std::move(names), {}, {}}; }
McpPermission groups(std::vector<std::string> names) { return McpPermission{{}, std::move(names), {}}; }
McpPermission with_tools(McpPermission p, std::string server, std::vector<std::string> tools) {
  p.tool_permissions[std::move(server)] = std::move(tools);
  return p;
}

}  // namespace

TEST_CASE("mcp access: which servers and tools a caller may use", "[core][mcp_access]") {
  struct Row {
    const char* name;
    McpCaller caller;
    const McpServerView* server;
    const char* tool;  // nullptr: the server decision only
    bool expected;
  };
  const Row rows[] = {
      {"no permission anywhere: no access", {false, std::nullopt, std::nullopt}, &kFiles, nullptr, false},
      {"no permission anywhere: no tool", {false, std::nullopt, std::nullopt}, &kFiles, "read", false},
      {"proxy_admin: every server", {true, std::nullopt, std::nullopt}, &kFiles, nullptr, true},
      {"proxy_admin: any tool the server allows", {true, std::nullopt, std::nullopt}, &kFiles, "anything", true},
      {"proxy_admin: not a tool the server itself refuses", {true, std::nullopt, std::nullopt}, &kDb, "drop", false},
      {"proxy_admin: a tool the server allows", {true, std::nullopt, std::nullopt}, &kDb, "query", true},
      {"key names the server by name", {false, servers({"files"}), std::nullopt}, &kFiles, nullptr, true},
      {"key names the server by id", {false, servers({"srv-1"}), std::nullopt}, &kFiles, nullptr, true},
      {"key names another server", {false, servers({"db"}), std::nullopt}, &kFiles, nullptr, false},
      {"key with an empty permission", {false, McpPermission{}, std::nullopt}, &kFiles, nullptr, false},
      {"key shares the server's access group", {false, groups({"dev"}), std::nullopt}, &kFiles, nullptr, true},
      {"key has another access group", {false, groups({"ops"}), std::nullopt}, &kFiles, nullptr, false},
      {"tool permissions alone grant no server",
       {false, with_tools(McpPermission{}, "files", {"read"}), std::nullopt},
       &kFiles,
       "read",
       false},
      {"key: every tool of a granted server", {false, servers({"files"}), std::nullopt}, &kFiles, "write", true},
      {"key limited to one tool: that tool",
       {false, with_tools(servers({"files"}), "files", {"read"}), std::nullopt},
       &kFiles,
       "read",
       true},
      {"key limited to one tool: another tool",
       {false, with_tools(servers({"files"}), "files", {"read"}), std::nullopt},
       &kFiles,
       "write",
       false},
      {"tool limit by server id",
       {false, with_tools(servers({"files"}), "srv-1", {"read"}), std::nullopt},
       &kFiles,
       "write",
       false},
      {"tool limit of another server does not apply",
       {false, with_tools(servers({"files"}), "db", {"query"}), std::nullopt},
       &kFiles,
       "write",
       true},
      {"an empty tool list allows no tool",
       {false, with_tools(servers({"files"}), "files", {}), std::nullopt},
       &kFiles,
       "read",
       false},
      {"key cannot pass the server's own allowlist", {false, servers({"db"}), std::nullopt}, &kDb, "drop", false},
      {"key within the server's allowlist", {false, servers({"db"}), std::nullopt}, &kDb, "schema", true},
      {"team only: the key inherits it", {false, std::nullopt, servers({"files"})}, &kFiles, nullptr, true},
      {"team only, other server", {false, std::nullopt, servers({"files"})}, &kDb, nullptr, false},
      {"key within its team", {false, servers({"files"}), servers({"files", "db"})}, &kFiles, nullptr, true},
      {"key never exceeds its team", {false, servers({"files", "db"}), servers({"files"})}, &kDb, nullptr, false},
      {"key by group, team by name", {false, groups({"ops"}), servers({"db"})}, &kDb, nullptr, true},
      {"team's tool limit binds the key",
       {false, servers({"files"}), with_tools(servers({"files"}), "files", {"read"})},
       &kFiles,
       "write",
       false},
      {"team's tool limit allows the tool",
       {false, servers({"files"}), with_tools(servers({"files"}), "files", {"read"})},
       &kFiles,
       "read",
       true},
      {"key's tool limit inside the team's",
       {false, with_tools(servers({"files"}), "files", {"read"}), servers({"files"})},
       &kFiles,
       "write",
       false},
      {"key sets an empty permission under a generous team",
       {false, McpPermission{}, servers({"files"})},
       &kFiles,
       nullptr,
       false},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    if (row.tool) {
      CHECK(may_use_tool(row.caller, *row.server, row.tool) == row.expected);
    } else {
      CHECK(may_use_server(row.caller, *row.server) == row.expected);
    }
  }
}
