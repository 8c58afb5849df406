#pragma once
// What the registry knows, as an immutable snapshot the request path reads: each upstream
// server, its transport, its tools (as fetched) and its health.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/mcp_server_config.h"
#include "mcp/upstream.h"

namespace tollgate::mcp {

struct ToolEntry {
  std::string name;     // as the upstream names it
  std::string members;  // the tool object's other members as raw JSON ("\"description\":..,..."), maybe ""
};

struct ServerState {
  std::shared_ptr<const config::McpServerConfig> config;
  std::shared_ptr<Upstream> upstream;  // null when the transport could not be built
  std::vector<ToolEntry> tools;
  bool listed = false;   // a tools/list has succeeded at least once
  bool healthy = false;  // the last tools/list succeeded
  std::string error;     // why the last one failed
  std::int64_t checked_at_ms = 0;

  const ToolEntry* find_tool(std::string_view name) const;
};

struct Catalog {
  std::vector<ServerState> servers;
  const ServerState* find(std::string_view name) const;
};

using CatalogPtr = std::shared_ptr<const Catalog>;

// Reads a tools/list result: its tools (names checked against SEP-986; others are skipped) and
// nextCursor ("" when it was the last page). False when the result has no tools array.
bool read_tools_page(std::string_view result_json, std::vector<ToolEntry>& tools, std::string& next_cursor);

}  // namespace tollgate::mcp
