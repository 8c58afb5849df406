#include "mcp/upstream.h"

#include "mcp/http_upstream.h"
#include "mcp/sse_upstream.h"
#include "mcp/stdio_upstream.h"

namespace tollgate::mcp {

std::shared_ptr<Upstream> make_upstream(UpstreamContext context) {
  switch (context.server->transport) {
    case config::McpTransport::http: return make_http_upstream(std::move(context));
    case config::McpTransport::sse: return make_sse_upstream(std::move(context));
    case config::McpTransport::stdio:
      // A command on the gateway host: the config file's only (the admin API refuses it).
      if (context.server->admin_registered) return nullptr;
      return make_stdio_upstream(std::move(context));
  }
  return nullptr;
}

}  // namespace tollgate::mcp
