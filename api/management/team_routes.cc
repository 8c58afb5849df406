// /team/* — placeholder registration until the team endpoints land.
#include "api/management_routes.h"

namespace tollgate::api {
void register_team_routes(http::Router&, const GatewayContext&) {}
void register_user_routes(http::Router&, const GatewayContext&) {}
void register_organization_routes(http::Router&, const GatewayContext&) {}
void register_budget_routes(http::Router&, const GatewayContext&) {}
}  // namespace tollgate::api
