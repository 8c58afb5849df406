// Store: the audit log.
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using testing::audit_by;

STORE_TEST_CASE("audit: newest first, by object, limited", "[store][audit]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_user(testing::make_user("u1"), audit_by("alice"));
  store->insert_user(testing::make_user("u2"), audit_by("bob"));
  store->update_user(testing::make_user("u1"), audit_by("carol"));

  const auto all = store->audit_log(std::nullopt, 10);
  REQUIRE(all.size() == 3);
  CHECK(all[0].changed_by == "carol");
  CHECK(all[0].action == "updated");
  CHECK(all[0].object_id == "u1");
  CHECK(all[0].table_name == "users");
  CHECK(all[0].id > all[1].id);
  CHECK(all[0].created_at > 0);
  CHECK(all[2].action == "created");
  CHECK(all[2].before_json.empty());
  CHECK(all[2].after_json.find("\"user_id\":\"u1\"") != std::string::npos);

  CHECK(store->audit_log(std::string("u1"), 10).size() == 2);
  CHECK(store->audit_log(std::string("u1"), 1).size() == 1);
  CHECK(store->audit_log(std::string("nobody"), 10).empty());
}

STORE_TEST_CASE("audit: caller-supplied action and JSON are kept, credentials scrubbed", "[store][audit]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto entry = audit_by("admin");
  entry.action = "custom_action";
  entry.after_json = R"({"note":"rotated with sk-abcdefghijklmnop and Bearer tok123456"})";
  store->insert_budget(testing::make_budget("b1"), entry);
  const auto audit = store->audit_log(std::string("b1"), 1);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "custom_action");
  CHECK(audit[0].after_json.find("rotated with") != std::string::npos);
  CHECK(audit[0].after_json.find("sk-abcdefghijklmnop") == std::string::npos);
  CHECK(audit[0].after_json.find("tok123456") == std::string::npos);
}

STORE_TEST_CASE("audit: a failed change leaves no audit row", "[store][audit]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_organization(testing::make_organization("o1"), audit_by());
  store->insert_team(testing::make_team("t1", std::string("o1")), audit_by());
  CHECK_THROWS_AS(store->delete_organizations({"o1"}, audit_by()), persistence::ConflictError);
  CHECK_THROWS_AS(store->insert_team(testing::make_team("t1"), audit_by()), persistence::DuplicateError);
  CHECK(store->audit_log(std::nullopt, 10).size() == 2);
}
