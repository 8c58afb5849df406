#pragma once
// The legacy HTTP+SSE transport (MCP 2024-11-05): one long-lived `GET <url>` event stream whose
// first `endpoint` event names the URL to POST messages to; each POST is acknowledged (202)
// and its answer arrives on the stream, matched by id. The stream is opened on the first call
// and again after it ends; calls waiting on a stream that ends fail at once.
#include <memory>

#include "mcp/upstream.h"

namespace tollgate::mcp {

std::shared_ptr<Upstream> make_sse_upstream(UpstreamContext context);

}  // namespace tollgate::mcp
