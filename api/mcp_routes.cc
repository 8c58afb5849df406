// POST/DELETE /mcp, /mcp/{server} (Streamable HTTP) and GET /v1/mcp/tools/list.
#include "api/mcp_routes.h"

#include "api/mcp_caller.h"
#include "api/routes.h"
#include "mcp/endpoint.h"
#include "mcp/jsonrpc.h"
#include "mcp/protocol.h"
#include "mcp/registry.h"

namespace tollgate::api {
namespace {

void rpc_refusal(const http::ExchangePtr& exchange, int status, std::string message) {
  exchange->respond(
      http::json_response(status, mcp::error_message("", {mcp::rpc::kUpstreamError, std::move(message)})));
}

// What every /mcp request passes before its method is looked at: the Origin (DNS rebinding),
// the caller's key, the protocol version header, and the server of /mcp/{server}.
void with_mcp_caller(const GatewayContext& context, const http::ExchangePtr& exchange,
                     std::function<void(const mcp::McpCaller&, std::string_view scope)> next) {
  if (!mcp::origin_allowed(exchange->header("origin"), exchange->header("host"))) {
    rpc_refusal(exchange, 403, "Forbidden: Origin not allowed");
    return;
  }
  with_caller(context, exchange, [&context, exchange, next = std::move(next)](const identity::Caller& who) {
    const auto version = exchange->header("mcp-protocol-version");
    if (!version.empty() && !mcp::supported_protocol_version(version)) {
      rpc_refusal(
          exchange, 400,
          "Bad Request: Unsupported protocol version " + std::string(version) + " (supported: 2025-06-18, 2025-03-26)");
      return;
    }
    auto caller = mcp_caller(who);
    const auto scope = exchange->param("server");
    if (!scope.empty()) {
      auto catalog = context.mcp_registry->catalog();
      const auto* server = catalog->find(scope);
      // A server the key may not use is not found, as one that does not exist.
      if (server == nullptr || !caller.may_use_server(*server->config)) {
        rpc_refusal(exchange, 404, "MCP server '" + std::string(scope) + "' not found");
        return;
      }
    }
    next(caller, scope);
  });
}

void handle_mcp_post(const GatewayContext& context, const http::ExchangePtr& exchange) {
  with_mcp_caller(context, exchange, [&context, exchange](const mcp::McpCaller& caller, std::string_view scope) {
    context.mcp->post(exchange, caller, scope);
  });
}

void handle_mcp_delete(const GatewayContext& context, const http::ExchangePtr& exchange) {
  with_mcp_caller(context, exchange, [&context, exchange](const mcp::McpCaller& caller, std::string_view scope) {
    context.mcp->remove(exchange, caller, scope);
  });
}

// The server-to-client stream is not offered (the gateway relays nothing unsolicited): 405,
// which the spec allows and clients expect.
void handle_mcp_get(const http::ExchangePtr& exchange) {
  auto response = http::json_response(
      405, mcp::error_message("", {mcp::rpc::kUpstreamError, "Method Not Allowed: no server-initiated stream"}));
  response.headers.push_back({"allow", "POST, DELETE"});
  exchange->respond(std::move(response));
}

void handle_rest_tools_list(const GatewayContext& context, const http::ExchangePtr& exchange) {
  with_caller(context, exchange, [&context, exchange](const identity::Caller& who) {
    const bool admin = who.kind == identity::CallerKind::master_key || who.actor.role == core::Role::proxy_admin;
    if (!admin) {
      http::respond_error(exchange, core::forbidden("listing MCP tools here is for proxy admins; use /mcp"));
      return;
    }
    exchange->respond(http::json_response(200, context.mcp->rest_tools_list(mcp_caller(who))));
  });
}

}  // namespace

void register_mcp_routes(http::Router& router, const GatewayContext& context) {
  if (context.mcp == nullptr) return;
  const auto* ctx = &context;
  auto bind = [ctx](void (*handler)(const GatewayContext&, const http::ExchangePtr&)) {
    return [ctx, handler](const http::ExchangePtr& exchange) { handler(*ctx, exchange); };
  };
  for (const char* path : {"/mcp", "/mcp/", "/mcp/{server}"}) {
    router.add(http::Method::post, path, bind(handle_mcp_post));
    router.add(http::Method::delete_, path, bind(handle_mcp_delete));
    router.add(http::Method::get, path, handle_mcp_get);
  }
  for (const char* path : {"/v1/mcp/tools/list", "/mcp-rest/tools/list"}) {
    router.add(http::Method::get, path, bind(handle_rest_tools_list));
  }
}

}  // namespace tollgate::api
