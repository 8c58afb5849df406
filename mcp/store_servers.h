#pragma once
// MCP servers registered through /v1/mcp/server, as the registry runs them: the stored record
// becomes a server config marked admin_registered (its connections pass the SSRF guard), and
// a store change to any of them tells the registry to read them again.
#include <functional>
#include <vector>

#include "config/mcp_server_config.h"
#include "persistence/change.h"
#include "persistence/records.h"

namespace tollgate::mcp {

config::McpServerConfig server_from_record(const persistence::McpServerRecord& record);

// A follower of the node's changes (identity::KeyCacheInvalidator::also_notify): this node's
// commits and, in cluster mode, the other nodes'. Calls `servers_changed` (it must be quick: it
// runs on the committing or the fan-out's thread) when one of them is an MCP server's.
class ServerChangeListener final : public persistence::ChangeListener {
 public:
  explicit ServerChangeListener(std::function<void()> servers_changed) : servers_changed_(std::move(servers_changed)) {}
  void committed(const std::vector<persistence::Change>& changes) noexcept override;

 private:
  std::function<void()> servers_changed_;
};

}  // namespace tollgate::mcp
