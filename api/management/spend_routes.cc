// GET /spend/logs and GET /global/spend: spend as recorded by the spend writer.
#include "api/management/management.h"
#include "api/management/query_args.h"
#include "api/management/targets.h"
#include "api/management_routes.h"
#include "core/json_out.h"
#include "core/key_hash.h"
#include "persistence/store.h"

namespace tollgate::api {
namespace {

using persistence::Store;

void write_log(core::JsonOut& o, const persistence::SpendLogRow& r) {
  o.begin_object();
  // LiteLLM's request_id is the answer's id; the gateway's own is in metadata.litellm_call_id.
  o.field("request_id", r.response_id.empty() ? r.request_id : r.response_id);
  o.field("call_type", r.call_type);
  o.field("api_key", r.api_key);
  o.field("spend", r.spend);
  o.field("total_tokens", r.total_tokens);
  o.field("prompt_tokens", r.prompt_tokens);
  o.field("completion_tokens", r.completion_tokens);
  o.key("startTime").time(r.start_time);
  o.key("endTime").time(r.end_time);
  o.field("model", r.model);
  o.field("model_group", r.model_group);
  o.field("model_id", r.model_id);
  o.field("custom_llm_provider", r.provider);
  o.field("user", r.user_id);
  o.field("team_id", r.team_id);
  o.field("organization_id", r.organization_id);
  o.field("status", r.status);
  o.key("metadata").raw_json(r.metadata);
  o.end_object();
}

core::Target missing_ok(core::Resource resource) {
  core::Target t;
  t.resource = resource;
  return t;
}

bool is_admin(const core::Actor& a) {
  return a.role == core::Role::proxy_admin || a.role == core::Role::proxy_admin_viewer;
}

http::Response spend_logs(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  require(core::decide(actor, core::Action::read, missing_ok(core::Resource::spend_logs)), "spend logs");
  persistence::SpendLogFilter filter;
  if (auto key = call.query("api_key")) {
    filter.api_key = key->rfind("sk-", 0) == 0 ? core::hash_key(*key) : *key;
  }
  filter.user_id = call.query("user_id");
  filter.team_id = call.query("team_id");
  filter.request_id = call.query("request_id");
  filter.start_ms = query_date_ms(call, "start_date", false);
  filter.end_ms = query_date_ms(call, "end_date", true);
  if (!is_admin(actor)) {
    // Everyone else sees the logs of keys it can see: scope to a visible key or to itself.
    if (filter.api_key) {
      const auto key = store.find_key(*filter.api_key);
      if (!key || !core::can_see(actor, key_target(*key))) throw_not_found("key not found");
    } else if (call.caller.identity) {
      filter.api_key = call.caller.identity->key.token_hash;
    }
  }
  const auto rows = store.spend_logs(filter, 1000);
  core::JsonOut o;
  o.begin_array();
  for (const auto& r : rows) write_log(o, r);
  o.end_array();
  return json_ok(o.str());
}

http::Response global_spend(Store& store, const ManagementCall& call) {
  require(core::decide(call.caller.actor, core::Action::read, missing_ok(core::Resource::global_spend)),
          "global spend");
  core::JsonOut o;
  o.begin_object().field("spend", store.total_spend()).key("max_budget").null().end_object();
  return json_ok(o.str());
}

}  // namespace

void register_spend_routes(http::Router& router, const GatewayContext& context) {
  router.add(http::Method::get, "/spend/logs",
             [&context](const http::ExchangePtr& ex) { run_management(context, ex, spend_logs); });
  router.add(http::Method::get, "/global/spend",
             [&context](const http::ExchangePtr& ex) { run_management(context, ex, global_spend); });
}

}  // namespace tollgate::api
