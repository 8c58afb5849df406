#pragma once
// The limits of a key or organization that links a shared budget (its budget_id names a row of
// the budgets table, LiteLLM's BudgetTable): the budget supplies every limit the entity leaves
// unset; a limit the entity sets itself wins. Spend is never shared: each entity linking a budget
// spends against its own counter, up to the budget's limits.
#include "persistence/records.h"

namespace tollgate::persistence {

// Fills the limits `own` leaves unset from `linked`. The reset schedule (budget_duration with
// budget_reset_at) moves as one: an entity with its own budget_duration keeps its own schedule;
// one without follows the budget's period, from the later of the two budget_reset_at — the
// entity's own is where its last reset on that period left it (the budget row's stays at the
// first window), the budget's is newer after /budget/update starts a new window.
void inherit_unset_limits(BudgetLimits& own, const BudgetLimits& linked);

}  // namespace tollgate::persistence
