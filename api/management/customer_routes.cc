// /customer/new, /customer/info, /customer/update, /customer/delete, /customer/block,
// /customer/unblock, /customer/list and LiteLLM's /end_user/* aliases: end users (LiteLLM's
// customers), with LiteLLM's fields and response shapes. End users are global objects, as
// budgets are: proxy_admins write them, admins and viewers read them, everyone else gets 403.
#include "api/gateway_context.h"
#include "api/management/body_fields.h"
#include "api/management/budget_table.h"
#include "api/management/http_error.h"
#include "api/management/key_fields.h"
#include "api/management/limit_fields.h"
#include "api/management/management.h"
#include "api/management/query_args.h"
#include "api/management/render.h"
#include "api/management_routes.h"
#include "persistence/errors.h"
#include "persistence/store.h"

namespace tollgate::api {
namespace {

using persistence::EndUserRecord;
using persistence::Store;

// LiteLLM's NewCustomerRequest / UpdateCustomerRequest. soft_budget alerts and the per-model
// budgets are not implemented; object_permission restricts nothing an end user reaches here.
const BodyFields kCustomerBody = {{"user_id", "alias", "blocked", "budget_id", "allowed_model_region", "default_model",
                                   "metadata", "budget_reset_at"},
                                  {"soft_budget", "litellm_changed_by"},
                                  {"model_max_budget", "object_permission"}};

// Checks the caller first, so a non-admin learns nothing (403) about which end users exist.
void require_customer_right(const ManagementCall& call, core::Action action) {
  core::Target target;
  target.resource = core::Resource::end_user;
  target.exists = true;
  const auto decision = core::decide(call.caller.actor, action, target);
  if (decision != core::Decision::allow) require(decision, "customers");
}

[[noreturn]] void throw_missing(const std::string& id, const char* param) {
  auto error = core::not_found("End User Id=" + id + " does not exist in db");
  error.param = param;
  throw HttpError(std::move(error));
}

EndUserRecord load_end_user(Store& store, const std::string& id, const char* param) {
  auto end_user = store.find_end_user(id);
  if (!end_user) throw_missing(id, param);
  return std::move(*end_user);
}

void apply_customer_fields(const ManagementCall& call, EndUserRecord& e) {
  const auto& body = call.body;
  apply_budget_limits(body, e, now_unix_ms());
  set_optional(e.alias, body.string("alias"), body.is_null("alias"));
  set_optional(e.budget_id, body.string("budget_id"), body.is_null("budget_id"));
  set_optional(e.allowed_model_region, body.string("allowed_model_region"), body.is_null("allowed_model_region"));
  set_optional(e.default_model, body.string("default_model"), body.is_null("default_model"));
  if (auto blocked = body.boolean("blocked")) e.blocked = *blocked;
  if (auto metadata = body.object_json("metadata")) {
    e.metadata = *metadata;
  } else if (body.is_null("metadata")) {
    e.metadata = "{}";
  }
  if (e.allowed_model_region && *e.allowed_model_region != "eu" && *e.allowed_model_region != "us") {
    throw_bad_request("'allowed_model_region' must be \"eu\" or \"us\"", "allowed_model_region");
  }
  if (e.default_model && !call.context.model_snapshot()->models().find(*e.default_model)) {
    throw_bad_request("Default Model not on proxy. Default_model=" + *e.default_model, "default_model");
  }
}

// A budget_id must name a budget: an end user linking none would silently have no limits.
void check_budget_exists(Store& store, const EndUserRecord& e) {
  if (e.budget_id && !store.find_budget(*e.budget_id)) {
    throw_bad_request("budget '" + *e.budget_id + "' not found", "budget_id");
  }
}

std::string end_user_json(Store& store, const EndUserRecord& e) {
  JsonOut o;
  write_end_user_object(o, store, e);
  return o.str();
}

std::string end_users_json(Store& store, const std::vector<EndUserRecord>& end_users) {
  JsonOut o;
  o.begin_array();
  for (const auto& e : end_users) write_end_user_object(o, store, e);
  o.end_array();
  return o.str();
}

// Python's repr of a list of strings, as LiteLLM's messages show it: ['a', 'b'].
std::string python_list(const std::vector<std::string>& ids) {
  std::string text = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) text += (i ? ", '" : "'") + ids[i] + "'";
  return text + "]";
}

http::Response create(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kCustomerBody);
  require_customer_right(call, core::Action::create);
  EndUserRecord e;
  e.user_id = call.body.required_string("user_id");
  if (e.user_id.empty()) throw_bad_request("'user_id' must not be empty", "user_id");
  apply_customer_fields(call, e);
  check_budget_exists(store, e);
  try {
    return json_ok(end_user_json(store, store.insert_end_user(e, call.audit("created"))));
  } catch (const persistence::DuplicateError&) {
    throw_bad_request("Customer already exists, passed user_id=" + e.user_id + ". Please pass a new user_id.",
                      "user_id");
  }
}

http::Response info(Store& store, const ManagementCall& call) {
  require_customer_right(call, core::Action::read);
  const auto id = required_query(call, "end_user_id");
  return json_ok(end_user_json(store, load_end_user(store, id, "end_user_id")));
}

http::Response list(Store& store, const ManagementCall& call) {
  require_customer_right(call, core::Action::read);
  return json_ok(end_users_json(store, store.list_end_users()));
}

http::Response update(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kCustomerBody);
  require_customer_right(call, core::Action::update_limits);
  auto e = load_end_user(store, call.body.required_string("user_id"), "user_id");
  apply_customer_fields(call, e);
  check_budget_exists(store, e);
  if (!store.update_end_user(e, call.audit("updated"))) throw_missing(e.user_id, "user_id");
  return json_ok(end_user_json(store, load_end_user(store, e.user_id, "user_id")));
}

http::Response remove(Store& store, const ManagementCall& call) {
  call.body.reject_unknown({"user_ids"});
  require_customer_right(call, core::Action::remove);
  const auto ids = call.body.required_strings("user_ids");
  if (ids.empty()) throw_bad_request("'user_ids' must not be empty", "user_ids");
  std::vector<std::string> missing;
  for (const auto& id : ids) {
    if (!store.find_end_user(id)) missing.push_back(id);
  }
  if (!missing.empty() || !store.delete_end_users(ids, call.audit("deleted"))) {
    std::string names;
    for (const auto& id : missing) names += (names.empty() ? "" : ", ") + id;
    auto error = core::not_found("End User Id(s)=" + names + " do not exist in db");
    error.param = "user_ids";
    throw HttpError(std::move(error));
  }
  JsonOut o;
  o.begin_object().field("deleted_customers", static_cast<std::int64_t>(ids.size()));
  o.field("message", "Successfully deleted customers with ids: " + python_list(ids));
  return json_ok(o.end_object().str());
}

// LiteLLM's /customer/block creates the end users it does not know, blocked.
http::Response set_blocked(Store& store, const ManagementCall& call, bool blocked) {
  call.body.reject_unknown({"user_ids"});
  require_customer_right(call, core::Action::block);
  const auto ids = call.body.required_strings("user_ids");
  const auto records = store.set_end_users_blocked(ids, blocked, call.audit(blocked ? "blocked" : "unblocked"));
  JsonOut o;
  o.begin_object().key(blocked ? "blocked_users" : "unblocked_users").raw_json(end_users_json(store, records));
  return json_ok(o.end_object().str());
}

http::Response block(Store& store, const ManagementCall& call) { return set_blocked(store, call, true); }
http::Response unblock(Store& store, const ManagementCall& call) { return set_blocked(store, call, false); }

}  // namespace

void register_customer_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const std::string& path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  for (const std::string prefix : {"/customer/", "/end_user/"}) {
    add(Method::post, prefix + "new", create);
    add(Method::get, prefix + "info", info);
    add(Method::get, prefix + "list", list);
    add(Method::post, prefix + "update", update);
    add(Method::post, prefix + "delete", remove);
    add(Method::post, prefix + "block", block);
    add(Method::post, prefix + "unblock", unblock);
  }
}

}  // namespace tollgate::api
