#pragma once
// MCP servers registered through /v1/mcp/server, as the registry runs them: the stored record
// becomes a server config marked admin_registered (its connections pass the SSRF guard), its
// sealed credential opened into the header it sends, and a store change to any of them tells
// the registry to read them again.
#include <functional>
#include <vector>

#include "config/mcp_server_config.h"
#include "core/secret_box.h"
#include "persistence/change.h"
#include "persistence/records.h"

namespace tollgate::mcp {

// `secrets` opens the stored credential (null without a salt key). A credential that does not
// open — sealed under another salt key, or altered — is left out and logged: the server is
// then called without it, and its upstream's refusal shows in its health.
config::McpServerConfig server_from_record(const persistence::McpServerRecord& record, const core::SecretBox* secrets);

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
