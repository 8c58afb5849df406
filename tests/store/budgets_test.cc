// Store: reusable budgets.
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::BudgetRecord;
using testing::audit_by;
using testing::make_budget;

STORE_TEST_CASE("budgets: insert, find, list, update, duplicate", "[store][budgets]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  BudgetRecord budget = make_budget("b1");
  budget.soft_budget = 8;
  budget.max_parallel_requests = 2;
  budget.tpm_limit = 1000;
  budget.rpm_limit = 10;
  budget.budget_duration = "30d";
  budget.budget_reset_at = 99;
  const auto stored = store->insert_budget(budget, audit_by());
  CHECK_THROWS_AS(store->insert_budget(budget, audit_by()), persistence::DuplicateError);
  store->insert_budget(make_budget("b2"), audit_by());

  const auto found = store->find_budget("b1");
  REQUIRE(found);
  CHECK(found->max_budget == std::optional<double>(10));
  CHECK(found->soft_budget == std::optional<double>(8));
  CHECK(found->max_parallel_requests == std::optional<std::int64_t>(2));
  CHECK(found->tpm_limit == std::optional<std::int64_t>(1000));
  CHECK(found->rpm_limit == std::optional<std::int64_t>(10));
  CHECK(found->budget_duration == std::optional<std::string>("30d"));
  CHECK(found->budget_reset_at == std::optional<std::int64_t>(99));
  CHECK_FALSE(store->find_budget("b404"));
  CHECK(store->list_budgets().size() == 2);

  BudgetRecord changed = make_budget("b1");
  changed.max_budget = 20;
  REQUIRE(store->update_budget(changed, audit_by()));
  CHECK(store->find_budget("b1")->max_budget == std::optional<double>(20));
  CHECK_FALSE(store->find_budget("b1")->soft_budget);
  CHECK(store->find_budget("b1")->created_at == stored.created_at);
  CHECK_FALSE(store->update_budget(make_budget("b404"), audit_by()));
}

STORE_TEST_CASE("budgets: delete refuses while in use", "[store][budgets]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_budget(make_budget("b1"), audit_by());
  auto key = testing::make_key("sk-budget-key-1");
  key.budget_id = "b1";
  store->insert_key(key, audit_by());
  CHECK_THROWS_AS(store->delete_budget("b1", audit_by()), persistence::ConflictError);
  CHECK(store->find_budget("b1"));
  REQUIRE(store->delete_keys({key.token_hash}, audit_by()));
  CHECK(store->delete_budget("b1", audit_by()));
  CHECK_FALSE(store->find_budget("b1"));
  CHECK_FALSE(store->delete_budget("b1", audit_by()));
  CHECK(store->audit_log(std::string("b1"), 1).front().action == "deleted");
}
