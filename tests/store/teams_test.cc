// Store: teams and team membership.
#include "core/key_hash.h"
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::TeamMember;
using persistence::TeamRecord;
using testing::audit_by;
using testing::make_key;
using testing::make_team;

STORE_TEST_CASE("teams: insert with members, find, not found", "[store][teams]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_organization(testing::make_organization("org-1"), audit_by());
  TeamRecord team = make_team("team-1", std::string("org-1"));
  team.models = {"gpt-4o"};
  team.max_budget = 50;
  team.budget_duration = "1mo";
  team.rpm_limit = 100;
  team.tpm_limit = 1000;
  team.max_parallel_requests = 2;
  team.blocked = true;
  team.team_member_permissions = {"/key/generate"};
  team.metadata = R"({"owner":"ml"})";
  team.members = {TeamMember{"alice", "admin"}, TeamMember{"bob", "user"}};
  store->insert_team(team, audit_by());

  const auto found = store->find_team("team-1");
  REQUIRE(found);
  CHECK(found->team_alias == std::optional<std::string>("alias-team-1"));
  CHECK(found->organization_id == std::optional<std::string>("org-1"));
  CHECK(found->models == std::vector<std::string>{"gpt-4o"});
  CHECK(found->max_budget == std::optional<double>(50));
  CHECK(found->budget_duration == std::optional<std::string>("1mo"));
  CHECK(found->rpm_limit == std::optional<std::int64_t>(100));
  CHECK(found->tpm_limit == std::optional<std::int64_t>(1000));
  CHECK(found->max_parallel_requests == std::optional<std::int64_t>(2));
  CHECK(found->blocked);
  CHECK(found->team_member_permissions == std::vector<std::string>{"/key/generate"});
  CHECK(found->metadata == R"({"owner":"ml"})");
  REQUIRE(found->members.size() == 2);
  CHECK(found->members[0].user_id == "alice");
  CHECK(found->members[0].role == "admin");
  CHECK(found->members[1].user_id == "bob");
  CHECK(found->members[1].role == "user");
  CHECK(found->created_at > 0);

  CHECK_FALSE(store->find_team("team-404"));
  const auto audit = store->audit_log(std::string("team-1"), 10);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "created");
  CHECK(audit[0].after_json.find("alice") != std::string::npos);
}

STORE_TEST_CASE("teams: duplicate id, unknown organization, bad role", "[store][teams]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_team(make_team("team-1"), audit_by());
  CHECK_THROWS_AS(store->insert_team(make_team("team-1"), audit_by()), persistence::DuplicateError);
  CHECK_THROWS_AS(store->insert_team(make_team("team-2", std::string("org-missing")), audit_by()),
                  persistence::ConflictError);
  CHECK_FALSE(store->find_team("team-2"));
  TeamRecord bad = make_team("team-3");
  bad.members = {TeamMember{"carol", "owner"}};
  CHECK_THROWS_AS(store->insert_team(bad, audit_by()), persistence::StoreError);
  CHECK_FALSE(store->find_team("team-3"));
  CHECK(store->audit_log(std::string("team-2"), 10).empty());
}

STORE_TEST_CASE("teams: list by organization and by member", "[store][teams]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_organization(testing::make_organization("org-a"), audit_by());
  TeamRecord t1 = make_team("t1", std::string("org-a"));
  t1.members = {TeamMember{"alice", "admin"}};
  TeamRecord t2 = make_team("t2", std::string("org-a"));
  t2.members = {TeamMember{"bob", "user"}};
  TeamRecord t3 = make_team("t3");
  t3.members = {TeamMember{"alice", "user"}, TeamMember{"bob", "user"}};
  for (const auto& t : {t1, t2, t3}) store->insert_team(t, audit_by());

  CHECK(store->list_teams().size() == 3);
  CHECK(store->list_teams(std::string("org-a")).size() == 2);
  CHECK(store->list_teams(std::string("org-b")).empty());
  const auto alice = store->list_teams(std::nullopt, std::string("alice"));
  REQUIRE(alice.size() == 2);
  for (const auto& team : alice) CHECK(!team.members.empty());
  CHECK(store->list_teams(std::string("org-a"), std::string("alice")).size() == 1);
}

STORE_TEST_CASE("teams: update keeps members and spend", "[store][teams]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  TeamRecord team = make_team("team-1");
  team.members = {TeamMember{"alice", "admin"}};
  const auto original = store->insert_team(team, audit_by());
  store->record_spend({}, {{persistence::EntityKind::team, "team-1", 2.5}});

  TeamRecord changed = make_team("team-1");
  changed.team_alias = "renamed";
  changed.max_budget = 9;
  changed.members = {};  // ignored by update
  REQUIRE(store->update_team(changed, audit_by()));
  const auto read = store->find_team("team-1");
  REQUIRE(read);
  CHECK(read->team_alias == std::optional<std::string>("renamed"));
  CHECK(read->max_budget == std::optional<double>(9));
  CHECK(read->members.size() == 1);
  CHECK(read->spend == 2.5);
  CHECK(read->created_at == original.created_at);
  CHECK_FALSE(store->update_team(make_team("team-404"), audit_by()));
}

STORE_TEST_CASE("teams: add, re-role and remove members", "[store][teams]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_team(make_team("team-1"), audit_by());
  REQUIRE(store->add_team_member("team-1", TeamMember{"alice", "user"}, audit_by()));
  REQUIRE(store->add_team_member("team-1", TeamMember{"alice", "admin"}, audit_by()));  // upsert
  REQUIRE(store->add_team_member("team-1", TeamMember{"bob", "user"}, audit_by()));
  auto team = store->find_team("team-1");
  REQUIRE(team->members.size() == 2);
  CHECK(store->teams_of_user("alice") == std::vector<std::pair<std::string, std::string>>{{"team-1", "admin"}});

  CHECK_FALSE(store->add_team_member("team-404", TeamMember{"alice", "user"}, audit_by()));
  CHECK_THROWS_AS(store->add_team_member("team-1", TeamMember{"carol", "boss"}, audit_by()), persistence::StoreError);

  REQUIRE(store->remove_team_member("team-1", "alice", audit_by()));
  CHECK_FALSE(store->remove_team_member("team-1", "alice", audit_by()));
  CHECK_FALSE(store->remove_team_member("team-404", "bob", audit_by()));
  team = store->find_team("team-1");
  REQUIRE(team->members.size() == 1);
  CHECK(team->members[0].user_id == "bob");

  const auto audit = store->audit_log(std::string("team-1"), 10);
  REQUIRE(audit.size() == 5);
  CHECK(audit[0].action == "member_removed");
  CHECK(audit[0].table_name == "team_members");
  CHECK(audit[2].action == "member_updated");
  CHECK(audit[3].action == "member_added");
}

STORE_TEST_CASE("teams: delete is all or nothing and takes the teams' keys along", "[store][teams]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  TeamRecord t1 = make_team("t1");
  t1.members = {TeamMember{"alice", "admin"}};
  store->insert_team(t1, audit_by());
  store->insert_team(make_team("t2"), audit_by());
  store->insert_team(make_team("t3"), audit_by());
  const auto k1 = store->insert_key(make_key("sk-team-key-1", std::nullopt, std::string("t1")), audit_by());
  const auto k2 = store->insert_key(make_key("sk-team-key-2", std::nullopt, std::string("t2")), audit_by());
  const auto k3 = store->insert_key(make_key("sk-team-key-3", std::nullopt, std::string("t3")), audit_by());

  CHECK_FALSE(store->delete_teams({"t1", "t-missing", "t2"}, audit_by()));
  CHECK(store->find_team("t1"));
  CHECK(store->find_team("t2"));
  CHECK(store->find_key(k1.token_hash));

  const auto deleted = store->delete_teams({"t1", "t2"}, audit_by());
  REQUIRE(deleted);
  CHECK(deleted->size() == 2);
  CHECK(std::find(deleted->begin(), deleted->end(), k1.token_hash) != deleted->end());
  CHECK(std::find(deleted->begin(), deleted->end(), k2.token_hash) != deleted->end());
  CHECK_FALSE(store->find_team("t1"));
  CHECK_FALSE(store->find_key(k1.token_hash));
  CHECK_FALSE(store->find_key(k2.token_hash));
  CHECK(store->find_key(k3.token_hash));
  CHECK(store->find_team("t3"));
  CHECK(store->teams_of_user("alice").empty());  // membership cascaded
  CHECK(store->audit_log(std::string("t1"), 10).front().action == "deleted");
  CHECK(store->audit_log(k1.token_hash, 10).front().action == "deleted");
}
