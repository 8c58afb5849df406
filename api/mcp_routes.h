#pragma once
#include "api/gateway_context.h"
#include "http/router.h"

namespace tollgate::api {

// /mcp, /mcp/{server} and /v1/mcp/tools/list (nothing when context.mcp is unset).
void register_mcp_routes(http::Router& router, const GatewayContext& context);

}  // namespace tollgate::api
