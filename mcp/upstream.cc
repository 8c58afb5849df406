#include "mcp/upstream.h"

#include "mcp/http_upstream.h"
#include "mcp/sse_upstream.h"
#include "mcp/stdio_upstream.h"

namespace tollgate::mcp {

std::shared_ptr<Upstream> make_upstream(std::shared_ptr<const config::McpServerConfig> server,
                                        http::HttpClient& client, std::function<void()> on_tools_changed) {
  switch (server->transport) {
    case config::McpTransport::http:
      return make_http_upstream(std::move(server), client, std::move(on_tools_changed));
    case config::McpTransport::sse:
      return make_sse_upstream(std::move(server), client, std::move(on_tools_changed));
    case config::McpTransport::stdio:
      return make_stdio_upstream(std::move(server), client, std::move(on_tools_changed));
  }
  return nullptr;
}

}  // namespace tollgate::mcp
