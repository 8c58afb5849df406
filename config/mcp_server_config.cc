#include "config/mcp_server_config.h"

namespace tollgate::config {

std::string_view mcp_transport_name(McpTransport transport) {
  switch (transport) {
    case McpTransport::http: return "http";
    case McpTransport::sse: return "sse";
    case McpTransport::stdio: return "stdio";
  }
  return "http";
}

bool mcp_auth_header(const std::string& auth_type, const std::string& value,
                     std::optional<std::pair<std::string, std::string>>& header) {
  header.reset();
  if (auth_type == "none") return true;
  if (auth_type == "api_key") {
    header.emplace("X-API-Key", value);
  } else if (auth_type == "bearer_token") {
    header.emplace("Authorization", "Bearer " + value);
  } else if (auth_type == "basic") {
    header.emplace("Authorization", "Basic " + value);
  } else if (auth_type == "authorization") {
    header.emplace("Authorization", value);
  } else {
    return false;
  }
  return true;
}

}  // namespace tollgate::config
