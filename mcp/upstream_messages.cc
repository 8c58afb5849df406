#include "mcp/upstream_messages.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_parse.h"
#include "mcp/protocol.h"

namespace tollgate::mcp {
namespace {

// params.progressToken of a notification, as raw JSON ("" when absent).
std::string progress_token_of(std::string_view params_json) {
  if (params_json.empty()) return {};
  rapidjson::Document doc;
  if (core::parse_json(params_json, doc) || !doc.IsObject()) return {};
  auto token = doc.FindMember("progressToken");
  if (token == doc.MemberEnd()) return {};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  token->value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

std::string client_initialize_params() {
  std::string out(R"({"protocolVersion":")");
  out.append(kLatestProtocolVersion);
  out.append(R"(","capabilities":{},"clientInfo":{"name":"tollgate","version":"1"}})");
  return out;
}

void route_upstream_message(std::string_view json, const UpstreamRouting& routing) {
  auto parsed = parse_message(json);
  auto* message = std::get_if<Message>(&parsed);
  if (message == nullptr) return;  // not JSON-RPC: the caller's deadline answers for it
  switch (message->kind) {
    case MessageKind::response: {
      auto call = routing.find ? routing.find(message->id) : nullptr;
      if (!call) return;
      if (message->error.empty()) {
        call->finish(UpstreamReply{std::move(message->result), std::nullopt});
      } else {
        call->finish(UpstreamReply{{}, read_error(message->error)});
      }
      return;
    }
    case MessageKind::notification: {
      if (message->method == "notifications/tools/list_changed") {
        if (routing.on_tools_changed) routing.on_tools_changed();
        return;
      }
      std::shared_ptr<PendingCall> call;
      if (auto token = progress_token_of(message->params); !token.empty() && routing.find_by_progress) {
        call = routing.find_by_progress(token);
      }
      if (!call) call = routing.fallback;
      if (call) call->notify(std::string(json));
      return;
    }
    case MessageKind::request: return;
  }
}

UpstreamRouting shared_channel_routing(InFlight& in_flight, std::function<void()> on_tools_changed) {
  UpstreamRouting routing;
  routing.find = [&in_flight](const std::string& id) { return in_flight.take(id); };
  routing.find_by_progress = [&in_flight](const std::string& token) { return in_flight.by_progress_token(token); };
  routing.on_tools_changed = std::move(on_tools_changed);
  return routing;
}

std::shared_ptr<PendingCall> begin_call(SessionGate& gate, http::HttpClient& client,
                                        const config::McpServerConfig& server, UpstreamCall call,
                                        std::string upstream_id,
                                        const std::function<void(const std::shared_ptr<PendingCall>&)>& send,
                                        const std::function<void(std::uint64_t epoch)>& start) {
  auto pending = std::make_shared<PendingCall>(std::move(call), std::move(upstream_id));
  pending->arm_deadline(client, server.timeout, server.name);
  switch (gate.admit(pending)) {
    case SessionGate::Step::send: send(pending); break;
    case SessionGate::Step::start: start(gate.epoch()); break;
    case SessionGate::Step::wait: break;
  }
  return pending;
}

std::shared_ptr<PendingCall> initialize_call(const config::McpServerConfig& server, http::HttpClient& client,
                                             std::string upstream_id, std::function<void(UpstreamReply)> on_reply) {
  UpstreamCall init;
  init.method = "initialize";
  init.params = client_initialize_params();
  init.on_reply = std::move(on_reply);
  auto call = std::make_shared<PendingCall>(std::move(init), std::move(upstream_id));
  call->arm_deadline(client, server.timeout, server.name);
  return call;
}

void fail_all(const std::vector<std::shared_ptr<PendingCall>>& calls, const config::McpServerConfig& server,
              const std::string& message, int code) {
  for (const auto& call : calls) call->fail(code, "MCP server '" + server.name + "' " + message);
}

int failure_code(http::ClientErrorKind kind) {
  return kind == http::ClientErrorKind::timeout ? rpc::kRequestTimeout : rpc::kUpstreamError;
}

std::string failure_text(http::ClientErrorKind kind, const std::string& message) {
  if (kind == http::ClientErrorKind::blocked) return "blocked by the SSRF policy (ssrf_blocked): " + message;
  return "unreachable: " + message;
}

http::Headers post_headers(const config::McpServerConfig& server) {
  http::Headers headers;
  headers.reserve(server.headers.size() + 2);
  headers.push_back({"content-type", "application/json"});
  headers.push_back({"accept", "application/json, text/event-stream"});
  for (const auto& [name, value] : server.headers) headers.push_back({name, value});
  return headers;
}

}  // namespace tollgate::mcp
