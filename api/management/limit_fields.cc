#include "api/management/limit_fields.h"

#include <algorithm>
#include <chrono>

#include "api/management/http_error.h"
#include "core/duration.h"

namespace tollgate::api {
namespace {

void apply_budget_duration(const BodyReader& body, persistence::BudgetLimits& l, std::int64_t now_ms) {
  if (auto text = body.string("budget_duration")) {
    const auto d = core::parse_duration(*text);
    if (!d) throw_bad_request("'budget_duration' must look like 30s, 15m, 1h, 7d or 1mo", "budget_duration");
    l.budget_duration = *text;
    l.budget_reset_at = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
  } else if (body.is_null("budget_duration")) {
    l.budget_duration.reset();
    l.budget_reset_at.reset();
  }
}

}  // namespace

const std::initializer_list<std::string_view> kBudgetLimitFields = {"max_budget", "budget_duration", "tpm_limit",
                                                                    "rpm_limit", "max_parallel_requests"};

void apply_budget_limits(const BodyReader& body, persistence::BudgetLimits& l, std::int64_t now_ms) {
  set_optional(l.max_budget, body.number("max_budget"), body.is_null("max_budget"));
  set_optional(l.tpm_limit, body.integer("tpm_limit"), body.is_null("tpm_limit"));
  set_optional(l.rpm_limit, body.integer("rpm_limit"), body.is_null("rpm_limit"));
  set_optional(l.max_parallel_requests, body.integer("max_parallel_requests"), body.is_null("max_parallel_requests"));
  apply_budget_duration(body, l, now_ms);
}

bool has_any(const BodyReader& body, std::initializer_list<std::string_view> fields) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](std::string_view field) { return body.has(std::string(field).c_str()); });
}

bool touches_limits(const BodyReader& body) {
  return has_any(body, kBudgetLimitFields) ||
         has_any(body, {"models", "soft_budget", "budget_id", "spend", "user_role", "blocked", "organization_id",
                        "object_permission", "model_aliases"});
}

}  // namespace tollgate::api
