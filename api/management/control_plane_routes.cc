// The control plane: POST /config/reload (proxy_admin) re-reads the config file and swaps the
// model list and router settings without dropping a request; GET /audit (proxy_admin and
// proxy_admin_viewer) reads the audit log, which every management write and every reload
// appends to. Refusals name what they need (docs/control-plane.md).
#include "api/management/management.h"
#include "api/management/query_args.h"
#include "api/management_routes.h"
#include "core/json_out.h"
#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::api {

void require_control_plane(const ManagementCall& call, core::Action action, std::string_view route) {
  if (core::decide_role(call.caller.actor, core::Resource::control_plane, action) == core::Decision::allow) return;
  const char* needed = action == core::Action::read ? "proxy_admin or proxy_admin_viewer" : "proxy_admin";
  throw HttpError({403, std::string(route) + " requires " + needed, "auth_error", {}, {}, {}});
}

namespace {

using persistence::Store;

// The reload is already in effect when its audit row is written: a store that cannot take the
// row does not undo it, it is logged instead.
void audit_reload(Store& store, const ManagementCall& call, const ConfigReloadResult& result) {
  auto entry = call.audit("reloaded");
  entry.table_name = "config";
  entry.object_id = "model_list";
  entry.before_json = result.before_json;
  entry.after_json = result.after_json;
  try {
    store.record_audit(entry);
  } catch (const std::exception& e) {
    telemetry::log_error("config_reload_audit_failed",
                         {{"request_id", call.exchange.request_id()}, {"error", e.what()}});
  }
}

http::Response reload(Store& store, const ManagementCall& call) {
  require_control_plane(call, core::Action::update, "/config/reload");
  call.body.reject_unknown({});
  if (!call.context.reload_config) throw_bad_request("This gateway was not started from a config file");
  const auto result = value_or_throw(call.context.reload_config());
  audit_reload(store, call, result);
  core::JsonOut o;
  o.begin_object();
  o.field("status", "reloaded");
  o.field("deployments", static_cast<std::int64_t>(result.deployments));
  o.field("warnings", result.warnings);
  o.end_object();
  return json_ok(o.str());
}

http::Response audit_log(Store& store, const ManagementCall& call) {
  require_control_plane(call, core::Action::read, "/audit");
  const auto object_id = optional_query(call, "object_id");
  const int limit = query_int(call, "limit", 100, 1, 1000);
  core::JsonOut o;
  o.begin_object();
  o.key("data");
  o.begin_array();
  for (const auto& row : store.audit_log(object_id, limit)) {
    o.begin_object();
    o.field("id", row.id);
    o.key("updated_at").time(row.created_at);
    o.field("changed_by", row.changed_by);
    o.field("action", row.action);
    o.field("table_name", row.table_name);
    o.field("object_id", row.object_id);
    o.key("before_value");
    row.before_json.empty() ? o.null() : o.raw_json(row.before_json);
    o.key("updated_values");
    row.after_json.empty() ? o.null() : o.raw_json(row.after_json);
    o.end_object();
  }
  o.end_array();
  o.end_object();
  return json_ok(o.str());
}

}  // namespace

void register_control_plane_routes(http::Router& router, const GatewayContext& context) {
  router.add(http::Method::post, "/config/reload",
             [&context](const http::ExchangePtr& ex) { run_management(context, ex, reload); });
  router.add(http::Method::get, "/audit",
             [&context](const http::ExchangePtr& ex) { run_management(context, ex, audit_log); });
}

}  // namespace tollgate::api
