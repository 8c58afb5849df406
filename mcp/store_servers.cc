#include "mcp/store_servers.h"

#include "telemetry/log.h"

namespace tollgate::mcp {

namespace {

std::optional<std::string> opened_credential(const persistence::McpServerRecord& record,
                                             const core::SecretBox* secrets) {
  if (!record.auth_value_sealed) return std::nullopt;
  auto value = secrets ? secrets->open(*record.auth_value_sealed) : std::nullopt;
  if (!value) {
    telemetry::log_warn("mcp_server_credential_unreadable",
                        {{"server", record.server_name},
                         {"reason", secrets ? "sealed under another salt key or altered: register it again"
                                            : "no salt key is configured"}});
  }
  return value;
}

}  // namespace

config::McpServerConfig server_from_record(const persistence::McpServerRecord& record, const core::SecretBox* secrets) {
  config::McpServerConfig s;
  s.id = record.server_id;
  s.name = record.server_name;
  s.url = record.url;
  s.transport = record.transport == "sse" ? config::McpTransport::sse : config::McpTransport::http;
  s.description = record.description.value_or("");
  s.access_groups = record.mcp_access_groups;
  s.allowed_tools = record.allowed_tools;
  std::optional<std::pair<std::string, std::string>> header;
  // The admin API accepts only the types mcp_auth_header knows; anything else sends no header.
  const auto credential = opened_credential(record, secrets);
  if (credential && config::mcp_auth_header(record.auth_type, *credential, header) && header) {
    s.headers.push_back(std::move(*header));
  }
  s.admin_registered = true;
  return s;
}

void ServerChangeListener::committed(const std::vector<persistence::Change>& changes) noexcept {
  for (const auto& change : changes) {
    if (change.kind == persistence::ChangeKind::mcp_server) {
      servers_changed_();
      return;
    }
  }
}

}  // namespace tollgate::mcp
