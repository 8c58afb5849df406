#include "api/management/management.h"

#include <rapidjson/document.h>

#include "api/json_body.h"
#include "api/management/work_answer.h"
#include "api/routes.h"
#include "core/json_document.h"
#include "persistence/store_pool.h"
#include "telemetry/log.h"

namespace tollgate::api {

std::string ManagementCall::changed_by() const {
  return caller.actor.user_id.empty() ? caller.label : caller.actor.user_id;
}

persistence::AuditEntry ManagementCall::audit(std::string action) const {
  persistence::AuditEntry entry;
  entry.changed_by = changed_by();
  entry.action = std::move(action);
  return entry;
}

http::Response json_ok(std::string body) { return http::json_response(200, std::move(body)); }

void require(core::Decision decision, std::string_view what) {
  switch (decision) {
    case core::Decision::allow: return;
    case core::Decision::not_found: throw_not_found(std::string(what) + " not found");
    case core::Decision::forbidden: throw_forbidden("You are not allowed to do this on " + std::string(what));
  }
}

void run_management(const GatewayContext& context, const http::ExchangePtr& exchange, ManagementWork work) {
  with_caller(context, exchange, [&context, exchange, work = std::move(work)](const identity::Caller& caller) {
    auto body = std::make_shared<core::JsonDocument>();
    if (exchange->method() != http::Method::get && !exchange->body().empty()) {
      if (auto parsed = parse_json_object(exchange->body(), *body, context.max_json_depth()); !parsed) {
        http::respond_error(exchange, parsed.error());
        return;
      }
    } else {
      body->SetObject();
    }
    context.store->submit(
        [&context, exchange, work, caller, body](persistence::Store& store) {
          exchange->respond(answer_management_work(exchange->request_id(), [&] {
            BodyReader reader(*body);
            ManagementCall call{context, caller, reader, *exchange};
            return work(store, call);
          }));
        },
        [exchange](persistence::JobFailure why, const std::string& error) {
          telemetry::log_warn("management_store_unavailable",
                              {{"request_id", exchange->request_id()}, {"error", error}});
          http::respond_error(exchange, store_job_error(why, exchange->request_id()));
        });
  });
}

}  // namespace tollgate::api
