#pragma once
// When an entity's spend goes back to zero (budget_duration): the one schedule BudgetLedger (one
// node) and LeaseDesk (the owner in a cluster) both follow, so both reset at the same instants.
#include <cstdint>
#include <optional>

namespace tollgate::core {

class ResetSchedule {
 public:
  // Follows the entity's record: a reset at `budget_reset_at` (now when the record has none),
  // then every `period_ms` (the record's budget_duration); without one, never. A later
  // budget_reset_at in the record (an admin moved it) replaces the schedule's; an earlier one is
  // the record being behind the schedule's own resets, and is ignored.
  void follow(std::optional<std::int64_t> period_ms, std::optional<std::int64_t> budget_reset_at, std::int64_t now_ms);
  bool due(std::int64_t now_ms) const { return reset_at_ && now_ms >= *reset_at_; }
  // At or after the reset time: moves to one period on (missed periods skipped) and returns true;
  // the caller zeroes its spend. The schedule keeps the period it last followed, so a reset fired
  // by a timer, with no record at hand, never goes back to the record's older budget_reset_at
  // (which would reset a second time and wipe spend settled since the first).
  bool advance_if_due(std::int64_t now_ms);
  std::optional<std::int64_t> next_ms() const { return reset_at_; }

 private:
  std::optional<std::int64_t> reset_at_;
  std::int64_t period_ms_ = 0;  // ≤ 0: a one-off reset, none after it
};

}  // namespace tollgate::core
