#pragma once
// The management API (LiteLLM's paths): one registration function per resource.
#include "api/gateway_context.h"
#include "http/router.h"

namespace tollgate::api {

void register_key_routes(http::Router& router, const GatewayContext& context);
void register_team_routes(http::Router& router, const GatewayContext& context);
void register_user_routes(http::Router& router, const GatewayContext& context);
void register_organization_routes(http::Router& router, const GatewayContext& context);
void register_budget_routes(http::Router& router, const GatewayContext& context);
void register_spend_routes(http::Router& router, const GatewayContext& context);
void register_control_plane_routes(http::Router& router, const GatewayContext& context);
void register_mcp_server_routes(http::Router& router, const GatewayContext& context);
void register_stored_model_routes(http::Router& router, const GatewayContext& context);
void register_daily_activity_routes(http::Router& router, const GatewayContext& context);
void register_customer_routes(http::Router& router, const GatewayContext& context);

inline void register_management_routes(http::Router& router, const GatewayContext& context) {
  register_key_routes(router, context);
  register_team_routes(router, context);
  register_user_routes(router, context);
  register_organization_routes(router, context);
  register_budget_routes(router, context);
  register_spend_routes(router, context);
  register_control_plane_routes(router, context);
  register_mcp_server_routes(router, context);
  register_stored_model_routes(router, context);
  register_daily_activity_routes(router, context);
  register_customer_routes(router, context);
}

}  // namespace tollgate::api
