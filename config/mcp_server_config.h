#pragma once
// One upstream MCP server from `mcp_servers:` (LiteLLM's shape): how to reach it, what it may
// expose, and what its calls cost. Credentials are resolved into `headers` at load time.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tollgate::config {

enum class McpTransport { http, sse, stdio };

struct McpServerConfig {
  std::string id;    // the config's: the name; the admin API's: its server_id
  std::string name;  // the alias: tool names are `<name>-<tool>`, so it holds no '-'
  std::string url;   // http / sse
  McpTransport transport = McpTransport::http;
  std::string command;  // stdio (config file only)
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string description;
  std::vector<std::string> allowed_tools;  // empty: every tool
  std::vector<std::string> disallowed_tools;
  std::vector<std::string> access_groups;
  // Sent on every upstream request: static_headers, then the auth_type/auth_value header.
  // Values are secrets (never logged).
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{60'000};  // a call's answer, progress included
  // mcp_info.mcp_server_cost_info: per call, in USD, for the spend log.
  double default_cost_per_query = 0;
  std::map<std::string, double> tool_cost_per_query;
  // Registered through /v1/mcp/server: every connection to it passes the SSRF guard.
  bool admin_registered = false;
};

std::string_view mcp_transport_name(McpTransport transport);

// The header LiteLLM's auth_type sends with `value`: none → nullopt; api_key → X-API-Key;
// bearer_token → "Authorization: Bearer …"; basic → "Authorization: Basic …"; authorization
// → Authorization as given. False when the type is none of these.
bool mcp_auth_header(const std::string& auth_type, const std::string& value,
                     std::optional<std::pair<std::string, std::string>>& header);

}  // namespace tollgate::config
