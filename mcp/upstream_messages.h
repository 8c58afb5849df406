#pragma once
// What the transports share about the messages an upstream sends back: reading one JSON-RPC
// message and handing it to the call it belongs to, and the initialize request the gateway
// sends as a client.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/client.h"
#include "http/response.h"
#include "mcp/pending_call.h"
#include "mcp/session_gate.h"

namespace tollgate::mcp {

inline constexpr std::size_t kMaxUpstreamMessageBytes = 16 * 1024 * 1024;

// initialize's params as this gateway sends them to an upstream.
std::string client_initialize_params();

// One message from the upstream. A response goes to `find(id)` (nullptr: nobody waits for it
// any more); tools/list_changed calls `on_tools_changed`; other notifications go to
// `find_by_progress(token)` when they carry a progress token, else to `fallback` (the one call
// whose stream carried it, or nullptr). Requests from the server (sampling, elicitation) are
// dropped: the gateway advertises neither.
struct UpstreamRouting {
  std::function<std::shared_ptr<PendingCall>(const std::string& id)> find;
  std::function<std::shared_ptr<PendingCall>(const std::string& token)> find_by_progress;
  std::shared_ptr<PendingCall> fallback;
  std::function<void()> on_tools_changed;
};
void route_upstream_message(std::string_view json, const UpstreamRouting& routing);

// Routing on a channel many calls share (the legacy SSE stream, a subprocess's stdout): answers
// by id, progress by token. `in_flight` must outlive the routing (it is used at once).
UpstreamRouting shared_channel_routing(InFlight& in_flight, std::function<void()> on_tools_changed);

// What every transport's call() does: the call with its deadline armed, sent now when the
// session is ready (`send`), else queued, the first queued call starting the session (`start`).
std::shared_ptr<PendingCall> begin_call(SessionGate& gate, http::HttpClient& client,
                                        const config::McpServerConfig& server, UpstreamCall call,
                                        std::string upstream_id,
                                        const std::function<void(const std::shared_ptr<PendingCall>&)>& send,
                                        const std::function<void(std::uint64_t epoch)>& start);

// The session's first call, `initialize`, with its deadline armed.
std::shared_ptr<PendingCall> initialize_call(const config::McpServerConfig& server, http::HttpClient& client,
                                             std::string upstream_id, std::function<void(UpstreamReply)> on_reply);

// Fails every call with `message` (after the server's name).
void fail_all(const std::vector<std::shared_ptr<PendingCall>>& calls, const config::McpServerConfig& server,
              const std::string& message, int code = rpc::kUpstreamError);

// A failed HTTP exchange as the caller hears of it: the code (a timeout is kRequestTimeout)
// and the words after the server's name ("blocked by the SSRF policy: …", "unreachable: …").
int failure_code(http::ClientErrorKind kind);
std::string failure_text(http::ClientErrorKind kind, const std::string& message);

// The configured headers, plus the JSON-RPC content negotiation every POST carries.
http::Headers post_headers(const config::McpServerConfig& server);

}  // namespace tollgate::mcp
