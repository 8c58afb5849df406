#include "mcp/endpoint.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_escape.h"
#include "core/json_out.h"
#include "core/json_parse.h"
#include "core/request_id.h"
#include "mcp/jsonrpc.h"
#include "mcp/mcp_metrics.h"
#include "mcp/protocol.h"
#include "mcp/registry.h"
#include "mcp/sessions.h"
#include "persistence/records.h"
#include "spend/spend_writer.h"
#include "telemetry/log.h"

namespace tollgate::mcp {
namespace {

using Clock = std::chrono::steady_clock;

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

bool listed_in(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::Response rpc_response(int status, std::string body, http::Headers headers = {}) {
  auto response = http::json_response(status, std::move(body));
  response.headers = std::move(headers);
  return response;
}

std::string sse_event(std::string_view json) {
  std::string out("event: message\ndata: ");
  out.append(json);
  out.append("\n\n");
  return out;
}

// The tool in a tools/call name: "<server>-<tool>" on /mcp; on /mcp/<server> also the bare name.
std::pair<std::string, std::string> resolve_name(std::string_view name, std::string_view scope) {
  auto split = split_tool_name(name);
  if (split && (scope.empty() || split->first == scope)) return {std::string(split->first), std::string(split->second)};
  if (!scope.empty()) return {std::string(scope), std::string(name)};
  return {};
}

double tool_cost(const config::McpServerConfig& server, const std::string& tool) {
  auto it = server.tool_cost_per_query.find(tool);
  return it != server.tool_cost_per_query.end() ? it->second : server.default_cost_per_query;
}

// One tools/call on its way back: the answer as JSON, or (when the caller asked for progress)
// an SSE stream of the relayed notifications and then the answer. Callbacks come from any
// thread; the mutex keeps a late notification from following the answer.
struct CallRelay {
  http::ExchangePtr exchange;
  std::string id;
  std::string client_token;  // raw JSON; "" when the caller asked for no progress
  std::string server;
  std::string tool;
  std::string namespaced;
  double cost = 0;
  McpCaller caller;
  EndpointServices services;
  Clock::time_point started = Clock::now();
  std::int64_t started_ms = unix_ms();
  std::mutex mutex;
  bool ended = false;

  bool streaming() const { return !client_token.empty(); }

  void notify(const std::string& notification) {
    if (!streaming()) return;
    auto relayed = with_client_token(notification);
    if (relayed.empty()) return;
    std::lock_guard lock(mutex);
    if (ended) return;
    exchange->send_chunk(sse_event(relayed));
  }

  void finish(const UpstreamReply& reply) {
    const auto message = reply.error ? error_message(id, *reply.error) : result_message(id, reply.result);
    {
      std::lock_guard lock(mutex);
      if (ended) return;
      ended = true;
      if (streaming()) {
        exchange->send_chunk(sse_event(message));
        exchange->finish_stream();
      } else {
        exchange->respond(rpc_response(200, message));
      }
    }
    account(reply);
  }

  void account(const UpstreamReply& reply) {
    const std::string outcome = !reply.error ? (tool_error(reply.result) ? "tool_error" : "success")
                                : reply.error->code == rpc::kRequestTimeout ? "timeout"
                                                                            : "error";
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (services.metrics) services.metrics->tool_call(server, tool, outcome, seconds);
    telemetry::log_info("mcp_tool_call", {{"request_id", exchange->request_id()},
                                          {"caller", caller.label},
                                          {"server", server},
                                          {"tool", tool},
                                          {"outcome", outcome},
                                          {"duration_ms", static_cast<long long>(seconds * 1000)},
                                          {"error", reply.error ? reply.error->message : std::string()}});
    if (!services.spend) return;
    persistence::SpendLogRow row;
    // The log's key is the gateway's own id: a client's x-request-id may repeat.
    row.request_id = core::generate_time_ordered_id();
    row.call_type = "call_mcp_tool";
    row.api_key = caller.api_key_hash;
    row.spend = outcome == "success" || outcome == "tool_error" ? cost : 0;
    row.start_time = started_ms;
    row.end_time = unix_ms();
    row.model = namespaced;
    row.model_group = server;
    row.provider = "mcp";
    row.user_id = caller.user_id;
    row.team_id = caller.team_id;
    row.organization_id = caller.organization_id;
    row.status = outcome == "success" ? "success" : "failure";
    core::JsonOut meta;
    meta.begin_object()
        .field("mcp_server", server)
        .field("mcp_tool", tool)
        .field("mcp_namespaced_tool_name", namespaced)
        .field("outcome", outcome)
        .field("x_request_id", exchange->request_id())
        .end_object();
    row.metadata = meta.str();
    services.spend->record(std::move(row), {});
  }

  static bool tool_error(const std::string& result) {
    rapidjson::Document doc;
    if (core::parse_json(result, doc) || !doc.IsObject()) return false;
    auto flag = doc.FindMember("isError");
    return flag != doc.MemberEnd() && flag->value.IsBool() && flag->value.GetBool();
  }

  // The upstream's notification with the caller's own progress token back in place.
  std::string with_client_token(const std::string& notification) const {
    rapidjson::Document doc;
    if (core::parse_json(notification, doc) || !doc.IsObject()) return {};
    auto params = doc.FindMember("params");
    if (params != doc.MemberEnd() && params->value.IsObject()) {
      auto token = params->value.FindMember("progressToken");
      if (token != params->value.MemberEnd()) {
        rapidjson::Document original;
        if (core::parse_json(client_token, original)) return {};
        token->value.CopyFrom(original, doc.GetAllocator());
      }
    }
    return serialize(doc);
  }
};

std::atomic<std::uint64_t> g_progress_tokens{1};

}  // namespace

bool tool_offered(const McpCaller& caller, const config::McpServerConfig& server, std::string_view tool) {
  if (!server.allowed_tools.empty() && !listed_in(server.allowed_tools, tool)) return false;
  if (listed_in(server.disallowed_tools, tool)) return false;
  return caller.may_use_tool && caller.may_use_tool(server, tool);
}

void Endpoint::post(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope) const {
  auto parsed = parse_message(exchange->body(), services_.max_json_depth);
  if (auto* error = std::get_if<RpcError>(&parsed)) {
    exchange->respond(rpc_response(400, error_message("", *error)));
    return;
  }
  auto& message = std::get<Message>(parsed);
  if (message.kind != MessageKind::request) {
    // Notifications (initialized, cancelled) and responses: accepted, nothing to answer.
    exchange->respond(http::Response{202, std::string(http::kJson), "", {}});
    return;
  }
  if (message.method == "initialize") {
    std::string requested;
    rapidjson::Document params;
    if (!message.params.empty() && !core::parse_json(message.params, params) && params.IsObject()) {
      auto version = params.FindMember("protocolVersion");
      if (version != params.MemberEnd() && version->value.IsString()) requested = version->value.GetString();
    }
    const std::string version(negotiate_protocol_version(requested));
    auto session = services_.sessions->create(caller.owner, std::string(scope), version);
    if (!session) {
      exchange->respond(rpc_response(503, error_message(message.id, {rpc::kInternalError, "too many MCP sessions"})));
      return;
    }
    core::JsonOut result;
    result.begin_object().field("protocolVersion", version).key("capabilities").begin_object();
    result.key("tools").begin_object().field("listChanged", false).end_object().end_object();
    result.key("serverInfo").begin_object().field("name", "tollgate").field("version", services_.version).end_object();
    result.field("instructions", scope.empty()
                                     ? std::string("Tools of every MCP server this key may use, named <server>-<tool>.")
                                     : "Tools of the MCP server '" + std::string(scope) + "'.");
    result.end_object();
    exchange->respond(
        rpc_response(200, result_message(message.id, result.str()), {{"mcp-session-id", std::move(*session)}}));
    return;
  }
  const auto session_id = exchange->header("mcp-session-id");
  if (session_id.empty()) {
    exchange->respond(rpc_response(
        400, error_message(message.id, {rpc::kUpstreamError, "Bad Request: Mcp-Session-Id header is required"})));
    return;
  }
  if (!services_.sessions->use(session_id, caller.owner, scope)) {
    exchange->respond(rpc_response(404, error_message(message.id, {-32001, "Session not found"})));
    return;
  }
  if (message.method == "ping") {
    exchange->respond(rpc_response(200, result_message(message.id, "{}")));
  } else if (message.method == "tools/list") {
    tools_list(exchange, caller, scope, message.id);
  } else if (message.method == "tools/call") {
    tools_call(exchange, caller, scope, message.id, message.params);
  } else {
    exchange->respond(
        rpc_response(200, error_message(message.id, {rpc::kMethodNotFound, "Method not found: " + message.method})));
  }
}

void Endpoint::remove(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope) const {
  const auto session_id = exchange->header("mcp-session-id");
  if (session_id.empty()) {
    exchange->respond(
        rpc_response(400, error_message("", {rpc::kUpstreamError, "Bad Request: Mcp-Session-Id header is required"})));
    return;
  }
  if (!services_.sessions->end(session_id, caller.owner, scope)) {
    exchange->respond(rpc_response(404, error_message("", {-32001, "Session not found"})));
    return;
  }
  exchange->respond(http::Response{200, std::string(http::kJson), "", {}});
}

namespace {

// Appends `{"name":"<server>-<tool>",<the upstream's other members><extra>}` for each tool the
// caller is offered, comma-separated, in catalog order.
void append_offered_tools(std::string& out, const Catalog& catalog, const McpCaller& caller, std::string_view scope,
                          bool with_server) {
  bool first = true;
  for (const auto& server : catalog.servers) {
    const auto& config = *server.config;
    if (!scope.empty() && config.name != scope) continue;
    if (!caller.may_use_server || !caller.may_use_server(config)) continue;
    for (const auto& tool : server.tools) {
      if (!tool_offered(caller, config, tool.name)) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append(R"({"name":)");
      core::append_json_string(out, prefixed_tool_name(config.name, tool.name));
      if (!tool.members.empty()) {
        out.push_back(',');
        out.append(tool.members);
      }
      if (with_server) {
        out.append(R"(,"mcp_info":{"server_name":)");
        core::append_json_string(out, config.name);
        out.push_back('}');
      }
      out.push_back('}');
    }
  }
}

}  // namespace

void Endpoint::tools_list(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope,
                          const std::string& id) const {
  std::string result(R"({"tools":[)");
  append_offered_tools(result, *services_.registry->catalog(), caller, scope, false);
  result.append("]}");
  exchange->respond(rpc_response(200, result_message(id, result)));
}

std::string Endpoint::rest_tools_list(const McpCaller& caller) const {
  std::string out(R"({"tools":[)");
  append_offered_tools(out, *services_.registry->catalog(), caller, "", true);
  out.append("]}");
  return out;
}

void Endpoint::tools_call(const http::ExchangePtr& exchange, const McpCaller& caller, std::string_view scope,
                          const std::string& id, const std::string& params_json) const {
  auto invalid = [&](std::string text) {
    exchange->respond(rpc_response(200, error_message(id, {rpc::kInvalidParams, std::move(text)})));
  };
  rapidjson::Document params;
  core::JsonParseOptions options;
  options.max_depth = services_.max_json_depth;
  if (params_json.empty() || core::parse_json(params_json, params, options) || !params.IsObject()) {
    invalid("tools/call needs params with a name");
    return;
  }
  auto name_member = params.FindMember("name");
  if (name_member == params.MemberEnd() || !name_member->value.IsString()) {
    invalid("tools/call needs params.name");
    return;
  }
  const std::string name(name_member->value.GetString(), name_member->value.GetStringLength());
  auto [server_name, tool] = resolve_name(name, scope);
  auto catalog = services_.registry->catalog();
  const ServerState* server = server_name.empty() ? nullptr : catalog->find(server_name);
  if (server == nullptr || !caller.may_use_server || !caller.may_use_server(*server->config)) {
    invalid("Unknown tool: " + name);
    return;
  }
  const auto& config = *server->config;
  if (!tool_offered(caller, config, tool)) {
    telemetry::log_warn(
        "mcp_tool_denied",
        {{"request_id", exchange->request_id()}, {"caller", caller.label}, {"server", config.name}, {"tool", tool}});
    if (services_.metrics)
      services_.metrics->tool_call(config.name, server->find_tool(tool) ? tool : "(unknown)", "denied", 0);
    exchange->respond(
        rpc_response(200, error_message(id, {rpc::kForbidden, "Tool " + name + " is not permitted for this key"})));
    return;
  }
  if (server->listed && !server->find_tool(tool)) {
    invalid("Unknown tool: " + name);
    return;
  }
  if (!server->upstream) {
    exchange->respond(rpc_response(
        200, error_message(
                 id, {rpc::kUpstreamError, "MCP server '" + config.name + "' is not available: " + server->error})));
    return;
  }
  // The upstream sees the bare name, and a progress token of ours (the caller's is put back on
  // every notification relayed): tokens of different callers never meet on a shared upstream.
  auto relay = std::make_shared<CallRelay>();
  name_member->value.SetString(tool.c_str(), static_cast<rapidjson::SizeType>(tool.size()), params.GetAllocator());
  std::string upstream_token;
  auto meta = params.FindMember("_meta");
  if (meta != params.MemberEnd() && meta->value.IsObject()) {
    auto token = meta->value.FindMember("progressToken");
    if (token != meta->value.MemberEnd() && (token->value.IsString() || token->value.IsInt64())) {
      relay->client_token = serialize(token->value);
      upstream_token = "\"tg-" + std::to_string(g_progress_tokens.fetch_add(1)) + "\"";
      const std::string bare = upstream_token.substr(1, upstream_token.size() - 2);
      token->value.SetString(bare.c_str(), static_cast<rapidjson::SizeType>(bare.size()), params.GetAllocator());
    }
  }
  relay->exchange = exchange;
  relay->id = id;
  relay->server = config.name;
  relay->tool = server->find_tool(tool) ? tool : "(unknown)";
  relay->namespaced = prefixed_tool_name(config.name, tool);
  relay->cost = tool_cost(config, tool);
  relay->caller = caller;
  relay->services = services_;
  if (relay->streaming()) exchange->start_stream(200, {}, "text/event-stream");

  UpstreamCall call;
  call.method = "tools/call";
  call.params = serialize(params);
  call.progress_token = upstream_token;
  call.on_notification = [relay](std::string notification) { relay->notify(notification); };
  call.on_reply = [relay](UpstreamReply reply) { relay->finish(reply); };
  // Weakly: the call holds the relay, which holds the exchange; the exchange must not hold the call.
  std::weak_ptr<CallHandle> handle = server->upstream->call(std::move(call));
  exchange->on_client_gone([handle] {
    if (auto call = handle.lock()) call->cancel();
  });
}

}  // namespace tollgate::mcp
