// Store: organizations and organization membership.
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::OrganizationRecord;
using persistence::OrgMember;
using testing::audit_by;
using testing::make_organization;

STORE_TEST_CASE("organizations: insert, find, list, update", "[store][organizations]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  OrganizationRecord org = make_organization("o1");
  org.budget_id = "b1";
  org.models = {"gpt-4o", "o1-mini"};
  org.max_budget = 1000;
  org.budget_duration = "1mo";
  org.rpm_limit = 10;
  org.tpm_limit = 20;
  org.max_parallel_requests = 3;
  org.metadata = R"({"cost_center":42})";
  org.created_by = "root";
  const auto stored = store->insert_organization(org, audit_by());
  CHECK_THROWS_AS(store->insert_organization(org, audit_by()), persistence::DuplicateError);
  store->insert_organization(make_organization("o2"), audit_by());

  const auto found = store->find_organization("o1");
  REQUIRE(found);
  CHECK(found->organization_alias == "alias-o1");
  CHECK(found->budget_id == std::optional<std::string>("b1"));
  CHECK(found->models == std::vector<std::string>{"gpt-4o", "o1-mini"});
  CHECK(found->max_budget == std::optional<double>(1000));
  CHECK(found->rpm_limit == std::optional<std::int64_t>(10));
  CHECK(found->metadata == R"({"cost_center":42})");
  CHECK(found->created_by == std::optional<std::string>("root"));
  CHECK_FALSE(store->find_organization("o404"));
  CHECK(store->list_organizations().size() == 2);

  OrganizationRecord changed = make_organization("o1");
  changed.organization_alias = "renamed";
  changed.updated_by = "editor";
  REQUIRE(store->update_organization(changed, audit_by()));
  const auto read = store->find_organization("o1");
  CHECK(read->organization_alias == "renamed");
  CHECK(read->created_by == std::optional<std::string>("root"));
  CHECK(read->created_at == stored.created_at);
  CHECK_FALSE(store->update_organization(make_organization("o404"), audit_by()));
}

STORE_TEST_CASE("organizations: members are added, re-roled, listed and removed", "[store][organizations]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_organization(make_organization("o1"), audit_by());
  store->insert_organization(make_organization("o2"), audit_by());
  REQUIRE(store->add_organization_member("o1", OrgMember{"o1", "alice", "internal_user"}, audit_by()));
  REQUIRE(store->add_organization_member("o1", OrgMember{"o1", "alice", "org_admin"}, audit_by()));
  REQUIRE(store->add_organization_member("o1", OrgMember{"o1", "bob", "internal_user"}, audit_by()));
  REQUIRE(store->add_organization_member("o2", OrgMember{"o2", "bob", "org_admin"}, audit_by()));
  CHECK_FALSE(store->add_organization_member("o404", OrgMember{"o404", "bob", "org_admin"}, audit_by()));

  const auto members = store->organization_members("o1");
  REQUIRE(members.size() == 2);
  CHECK(members[0].user_id == "alice");
  CHECK(members[0].user_role == "org_admin");
  CHECK(store->organization_members("o404").empty());
  CHECK(store->list_organizations(std::string("bob")).size() == 2);
  CHECK(store->list_organizations(std::string("alice")).size() == 1);

  REQUIRE(store->remove_organization_member("o1", "alice", audit_by()));
  CHECK_FALSE(store->remove_organization_member("o1", "alice", audit_by()));
  CHECK(store->organization_members("o1").size() == 1);
}

STORE_TEST_CASE("organizations: delete refuses while teams remain, and is all or nothing", "[store][organizations]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_organization(make_organization("o1"), audit_by());
  store->insert_organization(make_organization("o2"), audit_by());
  store->add_organization_member("o2", OrgMember{"o2", "alice", "org_admin"}, audit_by());
  store->insert_team(testing::make_team("t1", std::string("o1")), audit_by());

  CHECK_THROWS_AS(store->delete_organizations({"o2", "o1"}, audit_by()), persistence::ConflictError);
  CHECK(store->find_organization("o1"));
  CHECK(store->find_organization("o2"));
  CHECK_FALSE(store->delete_organizations({"o2", "o404"}, audit_by()));
  CHECK(store->find_organization("o2"));

  CHECK(store->delete_organizations({"o2"}, audit_by()));
  CHECK_FALSE(store->find_organization("o2"));
  CHECK(store->organizations_of_user("alice").empty());  // membership cascaded

  REQUIRE(store->delete_teams({"t1"}, audit_by()));
  CHECK(store->delete_organizations({"o1"}, audit_by()));
  CHECK(store->list_organizations().empty());
}
