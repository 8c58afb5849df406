#pragma once
// Pass-through routes: /openai/*, /anthropic/*, /gemini/*, /bedrock/* (api/passthrough_routes.cc).
#include "api/gateway_context.h"
#include "http/router.h"

namespace tollgate::api {

void register_passthrough_routes(http::Router& router, const GatewayContext& context);

}  // namespace tollgate::api
