#include "persistence/linked_budget.h"

#include <algorithm>

namespace tollgate::persistence {
namespace {

template <class T>
void inherit(std::optional<T>& own, const std::optional<T>& linked) {
  if (!own) own = linked;
}

}  // namespace

void inherit_unset_limits(BudgetLimits& own, const BudgetLimits& linked) {
  inherit(own.max_budget, linked.max_budget);
  inherit(own.tpm_limit, linked.tpm_limit);
  inherit(own.rpm_limit, linked.rpm_limit);
  inherit(own.max_parallel_requests, linked.max_parallel_requests);
  if (own.budget_duration || !linked.budget_duration) return;
  own.budget_duration = linked.budget_duration;
  if (!own.budget_reset_at || (linked.budget_reset_at && *linked.budget_reset_at > *own.budget_reset_at)) {
    own.budget_reset_at = linked.budget_reset_at;
  }
}

}  // namespace tollgate::persistence
