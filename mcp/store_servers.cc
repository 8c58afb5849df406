#include "mcp/store_servers.h"

namespace tollgate::mcp {

config::McpServerConfig server_from_record(const persistence::McpServerRecord& record) {
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
  if (config::mcp_auth_header(record.auth_type, record.auth_value.value_or(""), header) && header) {
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
