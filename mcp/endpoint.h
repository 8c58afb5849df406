#pragma once
// The gateway as an MCP server: POST /mcp (every server the caller may use) and
// /mcp/<server> (that one) over Streamable HTTP. initialize opens a session of the gateway's own
// (Mcp-Session-Id); tools/list merges the permitted servers' tools as `<server>-<tool>`;
// tools/call checks the permission again and forwards the bare name to the server, relaying
// its progress notifications as SSE when the caller asked for progress; ping answers here.
// Upstream failures become JSON-RPC errors; the caller's gateway key never goes upstream.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/exchange.h"
#include "mcp/catalog.h"

namespace tollgate::spend {
class SpendWriter;
}

namespace tollgate::mcp {

class Registry;
class SessionTable;
class McpMetrics;

// Who calls, as the endpoint needs it: what they may use, whom the session belongs to, and
// what goes in the spend log.
struct McpCaller {
  std::function<bool(const config::McpServerConfig& server)> may_use_server;
  std::function<bool(const config::McpServerConfig& server, std::string_view tool)> may_use_tool;
  std::string owner;  // binds sessions: the key's hash, or "master_key"
  std::string label;  // for logs
  std::string api_key_hash;
  std::optional<std::string> user_id;
  std::optional<std::string> team_id;
  std::optional<std::string> organization_id;
};

struct EndpointServices {
  Registry* registry = nullptr;
  SessionTable* sessions = nullptr;
  McpMetrics* metrics = nullptr;        // optional
  spend::SpendWriter* spend = nullptr;  // optional: tool calls in the spend log
  int max_json_depth = 64;
  std::string version = "0";  // serverInfo.version
};

// Whether the tool is offered to the caller: the server's allowed/disallowed lists and the
// caller's permission.
bool tool_offered(const McpCaller& caller, const config::McpServerConfig& server, std::string_view tool);

class Endpoint {
 public:
  explicit Endpoint(EndpointServices services) : services_(std::move(services)) {}

  // POST; `scope` is "" for /mcp, else the server named by /mcp/<server>. The caller is
  // authenticated; Origin and MCP-Protocol-Version were checked.
  void post(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope) const;
  // DELETE: ends the caller's session.
  void remove(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope) const;
  // GET /v1/mcp/tools/list: the tools the caller may use, `{"tools":[...]}` with the server of each.
  std::string rest_tools_list(const McpCaller& caller) const;

 private:
  void tools_list(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope,
                  const std::string& id) const;
  void tools_call(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope,
                  const std::string& id, const std::string& params) const;

  EndpointServices services_;
};

}  // namespace tollgate::mcp
