// Store: end users (LiteLLM's customers).
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::EndUserRecord;
using persistence::EntityKind;
using testing::audit_by;

namespace {

EndUserRecord make_end_user(const std::string& id) {
  EndUserRecord e;
  e.user_id = id;
  return e;
}

}  // namespace

STORE_TEST_CASE("end users: insert, find, list, update keeps spend, duplicate id", "[store][end_users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  EndUserRecord e = make_end_user("cust-1");
  e.alias = "Acme";
  e.max_budget = 2.5;
  e.budget_duration = "30d";
  e.rpm_limit = 7;
  e.allowed_model_region = "eu";
  e.default_model = "gpt-4o";
  e.metadata = R"({"tier":"free"})";
  store->insert_end_user(e, audit_by());
  CHECK_THROWS_AS(store->insert_end_user(make_end_user("cust-1"), audit_by()), persistence::DuplicateError);

  auto found = store->find_end_user("cust-1");
  REQUIRE(found);
  CHECK(found->alias == std::optional<std::string>("Acme"));
  CHECK(found->max_budget == std::optional<double>(2.5));
  CHECK(found->budget_duration == std::optional<std::string>("30d"));
  CHECK(found->rpm_limit == std::optional<std::int64_t>(7));
  CHECK(found->allowed_model_region == std::optional<std::string>("eu"));
  CHECK(found->default_model == std::optional<std::string>("gpt-4o"));
  CHECK(found->metadata == R"({"tier":"free"})");
  CHECK_FALSE(found->blocked);
  CHECK(found->created_at > 0);
  CHECK_FALSE(store->find_end_user("cust-404"));

  store->record_spend({}, {{EntityKind::end_user, "cust-1", 0.5}});
  auto changed = *found;
  changed.max_budget = 9.0;
  changed.spend = 123;  // ignored: spend moves only with record_spend / set_spend
  CHECK(store->update_end_user(changed, audit_by()));
  found = store->find_end_user("cust-1");
  CHECK(found->max_budget == std::optional<double>(9.0));
  CHECK(found->spend == Approx(0.5));
  CHECK_FALSE(store->update_end_user(make_end_user("cust-404"), audit_by()));

  store->insert_end_user(make_end_user("cust-0"), audit_by());
  const auto all = store->list_end_users();
  REQUIRE(all.size() == 2);
  CHECK(all[0].user_id == "cust-0");
  CHECK(all[1].user_id == "cust-1");
  CHECK(store->audit_log(std::string("cust-1"), 1).front().action == "updated");
}

STORE_TEST_CASE("end users: the first spend of an unknown end user creates its row", "[store][end_users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  CHECK_FALSE(store->entity_spend(EntityKind::end_user, "walk-in"));
  store->record_spend({}, {{EntityKind::end_user, "walk-in", 0.25}});
  store->record_spend({}, {{EntityKind::end_user, "walk-in", 0.5}, {EntityKind::end_user, "walk-in", 0.25}});
  CHECK(*store->entity_spend(EntityKind::end_user, "walk-in") == Approx(1.0));
  const auto row = store->find_end_user("walk-in");
  REQUIRE(row);
  CHECK_FALSE(row->blocked);
  CHECK_FALSE(row->max_budget);
  // Budget windows reset it like any other entity.
  CHECK(store->reset_spend(EntityKind::end_user, "walk-in", std::int64_t{42}));
  CHECK(*store->entity_spend(EntityKind::end_user, "walk-in") == 0);
  CHECK(store->find_end_user("walk-in")->budget_reset_at == std::optional<std::int64_t>(42));
}

STORE_TEST_CASE("end users: block creates the missing ones, unblock, delete is all or nothing", "[store][end_users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  EndUserRecord known = make_end_user("known");
  known.max_budget = 1.0;
  store->insert_end_user(known, audit_by());
  const auto blocked = store->set_end_users_blocked({"known", "new-one", "known"}, true, audit_by());
  REQUIRE(blocked.size() == 2);
  CHECK(store->find_end_user("known")->blocked);
  CHECK(store->find_end_user("known")->max_budget == std::optional<double>(1.0));
  CHECK(store->find_end_user("new-one")->blocked);
  CHECK(store->audit_log(std::string("new-one"), 1).front().action == "blocked");
  store->set_end_users_blocked({"known"}, false, audit_by());
  CHECK_FALSE(store->find_end_user("known")->blocked);

  CHECK_FALSE(store->delete_end_users({"known", "missing"}, audit_by()));
  CHECK(store->find_end_user("known"));
  CHECK(store->delete_end_users({"known", "new-one"}, audit_by()));
  CHECK(store->list_end_users().empty());
}

STORE_TEST_CASE("end users: a budget an end user links cannot be deleted", "[store][end_users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_budget(testing::make_budget("free-tier"), audit_by());
  EndUserRecord e = make_end_user("cust-1");
  e.budget_id = "free-tier";
  store->insert_end_user(e, audit_by());
  CHECK_THROWS_AS(store->delete_budget("free-tier", audit_by()), persistence::ConflictError);
  store->delete_end_users({"cust-1"}, audit_by());
  CHECK(store->delete_budget("free-tier", audit_by()));
}
