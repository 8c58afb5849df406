#pragma once
// The budget and limit fields every record shares (same LiteLLM names, same meaning), applied
// from a request body. A present field sets, null clears, absent keeps.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/management/body_reader.h"
#include "persistence/records.h"

namespace tollgate::api {

template <class T>
void set_optional(std::optional<T>& field, const std::optional<T>& value, bool cleared) {
  if (value)
    field = value;
  else if (cleared)
    field.reset();
}

// The body fields apply_budget_limits reads: max_budget, budget_duration, tpm_limit, rpm_limit
// and max_parallel_requests.
extern const std::initializer_list<std::string_view> kBudgetLimitFields;

// Sets the limits present in the body; budget_duration also (re)starts the budget window:
// budget_reset_at = now + the duration ("30d", "1mo"…).
void apply_budget_limits(const BodyReader& body, persistence::BudgetLimits& limits, std::int64_t now_ms);

// The budget limits plus `models` and `metadata` (teams, users and organizations).
template <class Record>
void apply_limit_fields(const BodyReader& body, Record& r, std::int64_t now_ms) {
  apply_budget_limits(body, r, now_ms);
  if (auto models = body.strings("models"))
    r.models = *models;
  else if (body.is_null("models"))
    r.models.clear();
  if (auto metadata = body.object_json("metadata"))
    r.metadata = *metadata;
  else if (body.is_null("metadata"))
    r.metadata = "{}";
}

// True when the body holds any of `fields`.
bool has_any(const BodyReader& body, std::initializer_list<std::string_view> fields);

// True when the body touches a field that grants more (budget, limits, models).
bool touches_limits(const BodyReader& body);

}  // namespace tollgate::api
