#include "api/management/limit_fields.h"

#include <chrono>

#include "api/management/http_error.h"
#include "core/duration.h"

namespace tollgate::api {

void apply_budget_duration(const BodyReader& body, std::optional<std::string>& duration,
                           std::optional<std::int64_t>& reset_at, std::int64_t now_ms) {
  if (auto text = body.string("budget_duration")) {
    const auto d = core::parse_duration(*text);
    if (!d) throw_bad_request("'budget_duration' must look like 30s, 15m, 1h, 7d or 1mo", "budget_duration");
    duration = *text;
    reset_at = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
  } else if (body.is_null("budget_duration")) {
    duration.reset();
    reset_at.reset();
  }
}

bool touches_limits(const BodyReader& body) {
  for (const char* field : {"models", "max_budget", "soft_budget", "budget_duration", "budget_id", "tpm_limit",
                            "rpm_limit", "max_parallel_requests", "spend", "user_role", "blocked", "organization_id"}) {
    if (body.has(field)) return true;
  }
  return false;
}

}  // namespace tollgate::api
