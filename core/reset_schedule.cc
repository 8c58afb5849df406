#include "core/reset_schedule.h"

#include "core/budget_math.h"

namespace tollgate::core {

void ResetSchedule::follow(std::optional<std::int64_t> period_ms, std::optional<std::int64_t> budget_reset_at,
                           std::int64_t now_ms) {
  if (!period_ms) {
    reset_at_.reset();
    period_ms_ = 0;
    return;
  }
  period_ms_ = *period_ms;
  if (!reset_at_ || (budget_reset_at && *budget_reset_at > *reset_at_)) reset_at_ = budget_reset_at.value_or(now_ms);
}

bool ResetSchedule::advance_if_due(std::int64_t now_ms) {
  if (!due(now_ms)) return false;
  reset_at_ =
      period_ms_ > 0 ? std::optional<std::int64_t>(next_reset_ms(*reset_at_, period_ms_, now_ms)) : std::nullopt;
  return true;
}

}  // namespace tollgate::core
