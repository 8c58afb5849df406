#pragma once
// An upstream MCP server as the gateway's client of it: one JSON-RPC request at a time per
// call, answered exactly once (a result, the upstream's JSON-RPC error, or the gateway's error
// for a transport failure or the deadline), with the notifications the upstream sends while
// answering (progress, log messages) passed on as they arrive. Each transport initializes its
// own upstream session lazily, before the first call, and again after the upstream lost it.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/mcp_server_config.h"
#include "mcp/jsonrpc.h"

namespace tollgate::http {
class HttpClient;
struct OutboundGuard;
}  // namespace tollgate::http

namespace tollgate::mcp {

struct UpstreamReply {
  std::string result;  // raw JSON; meaningful when error is empty
  std::optional<RpcError> error;
};

struct UpstreamCall {
  std::string method;
  std::string params;          // raw JSON object; empty for none
  std::string progress_token;  // raw JSON of params._meta.progressToken, when set: routes progress
  // Any thread. Raw JSON-RPC notifications the upstream sent for this call.
  std::function<void(std::string notification)> on_notification;
  // Any thread, exactly once (never after cancel()).
  std::function<void(UpstreamReply reply)> on_reply;
};

class CallHandle {
 public:
  virtual ~CallHandle() = default;
  // Nobody wants the answer any more: stop waiting, drop the HTTP exchange. Any thread.
  virtual void cancel() = 0;
};

class Upstream {
 public:
  virtual ~Upstream() = default;
  virtual std::shared_ptr<CallHandle> call(UpstreamCall call) = 0;
  // Ends the upstream session (HTTP DELETE, closes the SSE stream, ends the subprocess).
  virtual void close() = 0;
};

// What every transport is built with: the server, the outbound client, what runs (any thread)
// when the upstream sends notifications/tools/list_changed, and the SSRF guard every request
// to it carries (null for the operator's config servers).
struct UpstreamContext {
  std::shared_ptr<const config::McpServerConfig> server;
  http::HttpClient* client = nullptr;
  std::function<void()> on_tools_changed;
  std::shared_ptr<const http::OutboundGuard> guard;
};

// The transport the server's config names; null when it cannot be built (a malformed URL).
std::shared_ptr<Upstream> make_upstream(UpstreamContext context);

}  // namespace tollgate::mcp
