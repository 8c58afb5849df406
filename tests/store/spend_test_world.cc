#include "tests/store/spend_test_world.h"

#include <string>

#include "tests/store/store_test_data.h"

namespace tollgate::testing {

using persistence::EntityKind;

std::unique_ptr<persistence::Store> store_with_team(const TestDatabase& db) {
  auto store = db.migrated_store();
  store->insert_team(make_team("team-1"), audit_by());
  return store;
}

persistence::SpendLogRow team_log(int request, double amount) {
  auto log = make_log("req-" + std::to_string(request), "key-hash", amount, 1'000'000 + request);
  log.team_id = "team-1";
  return log;
}

double team_spend(persistence::Store& store) { return store.entity_spend(EntityKind::team, "team-1").value_or(-1); }

std::size_t log_rows(persistence::Store& store) {
  return store.spend_logs(persistence::SpendLogFilter{}, 1'000'000).size();
}

}  // namespace tollgate::testing
