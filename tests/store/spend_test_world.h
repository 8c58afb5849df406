#pragma once
// What the spend writer and spend journal tests share: a database with the team they charge,
// one request's log row charging it, and what the store holds for it.
#include <cstddef>
#include <memory>

#include "persistence/store.h"
#include "tests/store/store_fixture.h"

namespace tollgate::testing {

// The test database, migrated, with the team every spend test charges ("team-1").
std::unique_ptr<persistence::Store> store_with_team(const TestDatabase& db);
// Request `request`'s log row: `amount` charged to the team.
persistence::SpendLogRow team_log(int request, double amount);
double team_spend(persistence::Store& store);  // -1 when the team is missing
std::size_t log_rows(persistence::Store& store);

}  // namespace tollgate::testing
