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

// Passes every committed change on to `next`, and calls `servers_changed` (it must be quick:
// it runs on the committing thread) when one of them is an MCP server's.
class ServerChangeListener final : public persistence::ChangeListener {
 public:
  ServerChangeListener(persistence::ChangeListener& next, std::function<void()> servers_changed)
      : next_(next), servers_changed_(std::move(servers_changed)) {}
  void committed(const std::vector<persistence::Change>& changes) noexcept override;

 private:
  persistence::ChangeListener& next_;
  std::function<void()> servers_changed_;
};

}  // namespace tollgate::mcp
