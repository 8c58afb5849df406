#pragma once
// The budget and limit fields teams, users and organizations share (same LiteLLM names, same
// meaning), applied from a request body. A present field sets, null clears, absent keeps.
#include <cstdint>
#include <optional>
#include <string>

#include "api/management/body_reader.h"

namespace tollgate::api {

template <class T>
void set_optional(std::optional<T>& field, const std::optional<T>& value, bool cleared) {
  if (value) field = value;
  else if (cleared) field.reset();
}

// `budget_duration` ("30d", "1mo"…) also (re)starts the budget window: budget_reset_at = now + it.
void apply_budget_duration(const BodyReader& body, std::optional<std::string>& duration,
                           std::optional<std::int64_t>& reset_at, std::int64_t now_ms);

// max_budget, budget_duration, tpm_limit, rpm_limit, max_parallel_requests.
template <class Record>
void apply_budget_limits(const BodyReader& body, Record& r, std::int64_t now_ms) {
  set_optional(r.max_budget, body.number("max_budget"), body.is_null("max_budget"));
  set_optional(r.tpm_limit, body.integer("tpm_limit"), body.is_null("tpm_limit"));
  set_optional(r.rpm_limit, body.integer("rpm_limit"), body.is_null("rpm_limit"));
  set_optional(r.max_parallel_requests, body.integer("max_parallel_requests"), body.is_null("max_parallel_requests"));
  apply_budget_duration(body, r.budget_duration, r.budget_reset_at, now_ms);
}

// The budget limits plus `models` and `metadata` (teams, users and organizations).
template <class Record>
void apply_limit_fields(const BodyReader& body, Record& r, std::int64_t now_ms) {
  apply_budget_limits(body, r, now_ms);
  if (auto models = body.strings("models")) r.models = *models;
  else if (body.is_null("models")) r.models.clear();
  if (auto metadata = body.object_json("metadata")) r.metadata = *metadata;
  else if (body.is_null("metadata")) r.metadata = "{}";
}

// True when the body touches a field that grants more (budget, limits, models).
bool touches_limits(const BodyReader& body);

}  // namespace tollgate::api
