// /budget/new, /budget/info, /budget/update, /budget/delete, /budget/list — LiteLLM's paths,
// fields and response shapes. Budgets are global objects: proxy_admins write them, admins
// and viewers read them, everyone else gets 403 (no existence to hide, docs/authz.md).
#include "api/management/body_fields.h"
#include "api/management/key_fields.h"
#include "api/management/limit_fields.h"
#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management/render.h"
#include "api/management_routes.h"
#include "persistence/store.h"

namespace tollgate::api {
namespace {

using persistence::BudgetRecord;
using persistence::Store;

// Ignored and unenforced fields are LiteLLM's; docs/api.md lists them.
const BodyFields kBudgetBody = {
    {"budget_id", "soft_budget"}, {"budget_reset_at", "litellm_changed_by"}, {"model_max_budget"}};

core::Target budget_target(bool exists) {
  core::Target t;
  t.resource = core::Resource::budget;
  t.exists = exists;
  return t;
}

// Checks the caller first, so a non-admin learns nothing (403) about which budgets exist.
void require_budget_right(const ManagementCall& call, core::Action action) {
  const auto decision = core::decide(call.caller.actor, action, budget_target(true));
  if (decision != core::Decision::allow) require(decision, "budgets");
}

BudgetRecord load_budget(Store& store, const std::string& budget_id) {
  auto budget = store.find_budget(budget_id);
  if (!budget) throw_not_found("budget '" + budget_id + "' not found");
  return std::move(*budget);
}

void apply_budget_fields(const BodyReader& body, BudgetRecord& budget, std::int64_t now_ms) {
  apply_budget_limits(body, budget, now_ms);
  set_optional(budget.soft_budget, body.number("soft_budget"), body.is_null("soft_budget"));
}

std::string budget_json(const BudgetRecord& budget) {
  JsonOut o;
  write_budget(o, budget);
  return o.str();
}

std::string budgets_json(const std::vector<BudgetRecord>& budgets) {
  JsonOut o;
  o.begin_array();
  for (const auto& budget : budgets) write_budget(o, budget);
  o.end_array();
  return o.str();
}

http::Response create(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kBudgetBody);
  require_budget_right(call, core::Action::create);
  BudgetRecord budget;
  budget.budget_id = call.body.string("budget_id").value_or(new_id());
  if (budget.budget_id.empty()) throw_bad_request("'budget_id' must not be empty", "budget_id");
  apply_budget_fields(call.body, budget, now_unix_ms());
  if (store.find_budget(budget.budget_id)) {
    throw_bad_request("budget_id '" + budget.budget_id + "' already exists", "budget_id");
  }
  budget.created_by = call.changed_by();
  budget.updated_by = budget.created_by;
  return json_ok(budget_json(store.insert_budget(budget, call.audit("created"))));
}

http::Response info(Store& store, const ManagementCall& call) {
  call.body.reject_unknown({"budgets"});
  require_budget_right(call, core::Action::read);
  std::vector<BudgetRecord> budgets;
  for (const auto& id : call.body.required_strings("budgets")) budgets.push_back(load_budget(store, id));
  return json_ok(budgets_json(budgets));
}

http::Response list(Store& store, const ManagementCall& call) {
  require_budget_right(call, core::Action::read);
  return json_ok(budgets_json(store.list_budgets()));
}

http::Response update(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kBudgetBody);
  require_budget_right(call, core::Action::update_limits);
  auto budget = load_budget(store, call.body.required_string("budget_id"));
  apply_budget_fields(call.body, budget, now_unix_ms());
  budget.updated_by = call.changed_by();
  if (!store.update_budget(budget, call.audit("updated")))
    throw_not_found("budget '" + budget.budget_id + "' not found");
  return json_ok(budget_json(load_budget(store, budget.budget_id)));
}

http::Response remove(Store& store, const ManagementCall& call) {
  call.body.reject_unknown({"id"});
  require_budget_right(call, core::Action::remove);
  const auto budget = load_budget(store, call.body.required_string("id"));
  // ConflictError (409) while a key or organization still uses it.
  if (!store.delete_budget(budget.budget_id, call.audit("deleted"))) {
    throw_not_found("budget '" + budget.budget_id + "' not found");
  }
  return json_ok(budget_json(budget));
}

}  // namespace

void register_budget_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const char* path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add(Method::post, "/budget/new", create);
  add(Method::post, "/budget/info", info);
  add(Method::get, "/budget/list", list);
  add(Method::post, "/budget/update", update);
  add(Method::post, "/budget/delete", remove);
}

}  // namespace tollgate::api
