#include "api/end_user_admission.h"

#include <memory>

#include "api/gateway_context.h"
#include "identity/authenticator.h"
#include "identity/end_user_cache.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"

namespace tollgate::api {
namespace {

// Runs on a store thread.
identity::EndUser read_end_user(persistence::Store& store, std::string id, const identity::EndUserDefaults& defaults) {
  identity::EndUser e;
  e.id = std::move(id);
  e.record = store.find_end_user(e.id);
  if (e.record && e.record->budget_id) e.linked_budget = store.find_budget(*e.record->budget_id);
  if (defaults.budget_id) e.default_budget = store.find_budget(*defaults.budget_id);
  return e;
}

}  // namespace

identity::EndUserDefaults end_user_defaults(const GatewayContext& context) {
  if (!context.general) return {};
  return {context.general->max_end_user_budget, context.general->max_end_user_budget_id};
}

void with_end_user(const GatewayContext& context, const http::ExchangePtr& exchange, std::string id,
                   std::function<void(core::Result<identity::EndUserPtr>)> done) {
  auto* cache = context.end_users;
  if (cache) {
    if (auto hit = cache->find(id)) {
      done(std::move(hit));
      return;
    }
  }
  const auto generation = cache ? cache->generation() : 0;
  auto answer = std::make_shared<std::function<void(core::Result<identity::EndUserPtr>)>>(
      http::bind_executor(exchange, std::move(done)));
  context.store->submit(
      [cache, generation, answer, id = std::move(id),
       defaults = end_user_defaults(context)](persistence::Store& store) mutable {
        auto end_user = std::make_shared<const identity::EndUser>(read_end_user(store, std::move(id), defaults));
        if (cache) cache->put(end_user, generation);
        (*answer)(identity::EndUserPtr(std::move(end_user)));
      },
      [answer, request_id = exchange->request_id()](persistence::JobFailure why, const std::string& error) {
        (*answer)(identity::store_lookup_failure(why, error, request_id, "end_user_lookup"));
      });
}

std::optional<std::string> requested_end_user(const rapidjson::Value& body) {
  if (!body.IsObject()) return std::nullopt;
  const auto user = body.FindMember("user");
  if (user == body.MemberEnd() || !user->value.IsString()) return std::nullopt;
  return std::string(user->value.GetString(), user->value.GetStringLength());
}

core::Status refuse_blocked(const identity::EndUser& end_user) {
  if (!end_user.record || !end_user.record->blocked) return {};
  return core::bad_request("User blocked from making LLM API Calls. User=" + end_user.id);
}

void add_end_user_stop(actors::AdmissionRequest& request, const identity::EndUser& end_user,
                       const identity::EndUserDefaults& defaults) {
  actors::AdmissionStop stop;
  stop.kind = persistence::EntityKind::end_user;
  stop.id = end_user.id;
  stop.label = end_user.record && end_user.record->alias ? *end_user.record->alias : end_user.id;
  static_cast<persistence::BudgetLimits&>(stop.limits) = identity::end_user_limits(end_user, defaults);
  stop.limits.record_spend = end_user.record ? end_user.record->spend : 0;
  request.stops.push_back(std::move(stop));
}

namespace {

// The stops of the key (none for the master key) and of the end user (when there is one).
void admit_stops(const GatewayContext& context, const http::ExchangePtr& exchange, const identity::KeyIdentityPtr& key,
                 const config::ModelGroup& group, const RequestTokens& tokens, const identity::EndUser* end_user,
                 AdmittedStart start) {
  if (!key && !end_user) {  // the master key: no budgets or limits, spend still recorded
    start(nullptr, {});
    return;
  }
  actors::AdmissionRequest admission;
  if (key) {
    admission = admission_for(*key, group, tokens);
  } else {
    admission.model = group.name;
    admission.worst_case_cost = tokens.worst_case_cost;
    admission.tokens_estimate = tokens.tpm_estimate;
  }
  if (end_user) add_end_user_stop(admission, *end_user, end_user_defaults(context));
  admit_then(context, exchange, std::move(admission),
             [start = std::move(start)](std::shared_ptr<actors::AdmissionGrant> grant) {
               auto headers = rate_headers(grant->headers);
               start(std::move(grant), std::move(headers));
             });
}

}  // namespace

void admit_with_end_user(const GatewayContext& context, const http::ExchangePtr& exchange, identity::KeyIdentityPtr key,
                         const config::ModelGroup& group, const RequestTokens& tokens,
                         const std::optional<std::string>& end_user_id, AdmittedStart start) {
  if (!end_user_id) {
    admit_stops(context, exchange, key, group, tokens, nullptr, std::move(start));
    return;
  }
  // The end user's record is cached, or read on a store thread: resume on the exchange's executor.
  with_end_user(context, exchange, *end_user_id,
                [&context, exchange, key = std::move(key), group = &group, tokens,
                 start = std::move(start)](core::Result<identity::EndUserPtr> found) mutable {
                  if (!found) {
                    http::respond_error(exchange, found.error());
                    return;
                  }
                  if (auto blocked = refuse_blocked(**found); !blocked) {
                    http::respond_error(exchange, blocked.error());
                    return;
                  }
                  admit_stops(context, exchange, key, *group, tokens, found->get(), std::move(start));
                });
}

}  // namespace tollgate::api
