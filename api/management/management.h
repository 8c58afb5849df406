#pragma once
// The shape every management endpoint shares: authenticate, parse the JSON body once, then run
// the endpoint's work on a store thread as straight-line code. The work returns the response
// or throws HttpError; store failures map to 400 (duplicate), 409 (conflict) or 503, and any
// other exception to 500 naming the request id (see work_answer.h).
#include <functional>
#include <string>

#include "api/gateway_context.h"
#include "api/management/body_reader.h"
#include "api/management/http_error.h"
#include "core/authz.h"
#include "http/exchange.h"
#include "identity/authenticator.h"
#include "persistence/records.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::api {

struct ManagementCall {
  const GatewayContext& context;
  const identity::Caller& caller;
  const BodyReader& body;
  const http::Exchange& exchange;

  // Who made a change, for the audit log: the user id, else the key's label.
  std::string changed_by() const;
  persistence::AuditEntry audit(std::string action) const;
  // A decoded query argument; 400 naming it when it is not UTF-8 or holds a NUL (query_args.cc).
  std::optional<std::string> query(const char* name) const;
};

using ManagementWork = std::function<http::Response(persistence::Store&, const ManagementCall&)>;

void run_management(const GatewayContext& context, const http::ExchangePtr& exchange, ManagementWork work);

// 403 or 404 unless allowed; `what` names the target in the message ("key", "team 'x'").
void require(core::Decision decision, std::string_view what);

http::Response json_ok(std::string body);

// 403 auth_error "<route> requires proxy_admin" (or "… or proxy_admin_viewer" for a read)
// unless the caller may act on the control plane (core::Resource::control_plane).
void require_control_plane(const ManagementCall& call, core::Action action, std::string_view route);

}  // namespace tollgate::api
