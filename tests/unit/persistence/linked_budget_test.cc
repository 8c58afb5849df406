#include <catch2/catch.hpp>

#include <vector>

#include "persistence/linked_budget.h"

using tollgate::persistence::BudgetLimits;
using tollgate::persistence::inherit_unset_limits;

namespace {

BudgetLimits limits(std::optional<double> max_budget, std::optional<std::int64_t> rpm, std::optional<std::int64_t> tpm,
                    std::optional<std::int64_t> parallel) {
  BudgetLimits l;
  l.max_budget = max_budget;
  l.rpm_limit = rpm;
  l.tpm_limit = tpm;
  l.max_parallel_requests = parallel;
  return l;
}

BudgetLimits schedule(std::optional<std::string> duration, std::optional<std::int64_t> reset_at) {
  BudgetLimits l;
  l.budget_duration = std::move(duration);
  l.budget_reset_at = reset_at;
  return l;
}

struct Row {
  const char* name;
  BudgetLimits own, linked, expected;
};

void check_merges(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    INFO(row.name);
    auto merged = row.own;
    inherit_unset_limits(merged, row.linked);
    CHECK(merged.max_budget == row.expected.max_budget);
    CHECK(merged.rpm_limit == row.expected.rpm_limit);
    CHECK(merged.tpm_limit == row.expected.tpm_limit);
    CHECK(merged.max_parallel_requests == row.expected.max_parallel_requests);
    CHECK(merged.budget_duration == row.expected.budget_duration);
    CHECK(merged.budget_reset_at == row.expected.budget_reset_at);
  }
}

}  // namespace

TEST_CASE("linked budget: each limit the entity leaves unset comes from the budget, its own wins",
          "[persistence][budgets]") {
  const auto none = std::nullopt;
  check_merges({
      {"nothing set anywhere", limits(none, none, none, none), limits(none, none, none, none),
       limits(none, none, none, none)},
      {"all from the budget", limits(none, none, none, none), limits(5.0, 10, 1000, 2), limits(5.0, 10, 1000, 2)},
      {"all the entity's own", limits(1.0, 3, 300, 1), limits(5.0, 10, 1000, 2), limits(1.0, 3, 300, 1)},
      {"field by field", limits(1.0, none, 300, none), limits(5.0, 10, 1000, 2), limits(1.0, 10, 300, 2)},
      {"a zero of its own is set, not unset", limits(0.0, 0, none, none), limits(5.0, 10, none, none),
       limits(0.0, 0, none, none)},
      {"a budget without limits changes nothing", limits(1.0, none, none, 4), limits(none, none, none, none),
       limits(1.0, none, none, 4)},
  });
}

TEST_CASE("linked budget: the reset schedule moves as one, from the later reset time", "[persistence][budgets]") {
  const auto none = std::nullopt;
  check_merges({
      {"no schedule anywhere", schedule(none, none), schedule(none, none), schedule(none, none)},
      {"the budget's schedule", schedule(none, none), schedule("30d", 1000), schedule("30d", 1000)},
      {"its own schedule wins whole, even without a reset time", schedule("1d", none), schedule("30d", 1000),
       schedule("1d", none)},
      {"its own schedule wins whole", schedule("1d", 500), schedule("30d", 1000), schedule("1d", 500)},
      // The entity's own reset time is where its last reset on the budget's period left it.
      {"after a reset on the budget's period", schedule(none, 9000), schedule("30d", 1000), schedule("30d", 9000)},
      // /budget/update started a new window after the entity's last reset.
      {"the budget's newer window", schedule(none, 9000), schedule("1d", 12000), schedule("1d", 12000)},
      {"a budget without a schedule leaves its reset time alone", schedule(none, 9000), schedule(none, 1000),
       schedule(none, 9000)},
  });
}
