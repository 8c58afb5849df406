#pragma once
// Streamable HTTP (MCP 2025-03-26 and later): every message is a POST to the server's URL;
// the answer comes as one JSON object or as an SSE stream that may carry notifications (progress)
// before the response. The upstream's Mcp-Session-Id from initialize is echoed on every later
// request; a 404 for it means the session is gone, and the next call initializes again.
#include <memory>

#include "mcp/upstream.h"

namespace tollgate::mcp {

std::shared_ptr<Upstream> make_http_upstream(UpstreamContext context);

}  // namespace tollgate::mcp
