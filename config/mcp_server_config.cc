#include "config/mcp_server_config.h"

namespace tollgate::config {

std::string_view mcp_transport_name(McpTransport transport) {
  switch (transport) {
    case McpTransport::http:
      return "http";
    case McpTransport::sse:
      return "sse";
    case McpTransport::stdio:
      return "stdio";
  }
  return "http";
}

}  // namespace tollgate::config
