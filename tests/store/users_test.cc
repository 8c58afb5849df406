// Store: internal users.
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::UserFilter;
using persistence::UserRecord;
using testing::audit_by;
using testing::make_user;

STORE_TEST_CASE("users: insert, find by id and by email, not found", "[store][users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  UserRecord user = make_user("u1", std::string("u1@example.com"));
  user.user_alias = "Ursula";
  user.user_role = "proxy_admin_viewer";
  user.organization_id = "org-1";
  user.models = {"gpt-4o"};
  user.max_budget = 12.5;
  user.budget_duration = "7d";
  user.budget_reset_at = 123;
  user.rpm_limit = 5;
  user.tpm_limit = 50;
  user.max_parallel_requests = 1;
  user.metadata = R"({"team":"ml"})";
  store->insert_user(user, audit_by());

  for (const auto& found : {store->find_user("u1"), store->find_user_by_email("u1@example.com")}) {
    REQUIRE(found);
    CHECK(found->user_id == "u1");
    CHECK(found->user_alias == std::optional<std::string>("Ursula"));
    CHECK(found->user_email == std::optional<std::string>("u1@example.com"));
    CHECK(found->user_role == "proxy_admin_viewer");
    CHECK(found->organization_id == std::optional<std::string>("org-1"));
    CHECK(found->models == std::vector<std::string>{"gpt-4o"});
    CHECK(found->max_budget == std::optional<double>(12.5));
    CHECK(found->budget_duration == std::optional<std::string>("7d"));
    CHECK(found->budget_reset_at == std::optional<std::int64_t>(123));
    CHECK(found->rpm_limit == std::optional<std::int64_t>(5));
    CHECK(found->tpm_limit == std::optional<std::int64_t>(50));
    CHECK(found->max_parallel_requests == std::optional<std::int64_t>(1));
    CHECK(found->metadata == R"({"team":"ml"})");
  }
  CHECK_FALSE(store->find_user("u404"));
  CHECK_FALSE(store->find_user_by_email("nobody@example.com"));
}

STORE_TEST_CASE("users: duplicate id or email is a DuplicateError but emails may be absent", "[store][users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_user(make_user("u1", std::string("same@example.com")), audit_by());
  CHECK_THROWS_AS(store->insert_user(make_user("u1"), audit_by()), persistence::DuplicateError);
  CHECK_THROWS_AS(store->insert_user(make_user("u2", std::string("same@example.com")), audit_by()),
                  persistence::DuplicateError);
  CHECK_FALSE(store->find_user("u2"));
  // Several users without an email are fine (NULLs are not equal).
  store->insert_user(make_user("u3"), audit_by());
  store->insert_user(make_user("u4"), audit_by());
  CHECK(store->find_user("u4"));
  // Changing an email onto a taken one fails too.
  UserRecord u3 = *store->find_user("u3");
  u3.user_email = "same@example.com";
  CHECK_THROWS_AS(store->update_user(u3, audit_by()), persistence::DuplicateError);
}

STORE_TEST_CASE("users: list filters by role, organization and team, with paging", "[store][users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  for (int i = 0; i < 12; ++i) {
    UserRecord user = make_user("user-" + std::to_string(i));
    user.user_role = i % 3 == 0 ? "proxy_admin" : "internal_user";
    user.organization_id = i < 4 ? std::optional<std::string>("org-a") : std::nullopt;
    user.created_at = 100 + i;
    store->insert_user(user, audit_by());
  }
  store->insert_organization(testing::make_organization("org-a"), audit_by());
  store->add_organization_member("org-a", persistence::OrgMember{"org-a", "user-10", "org_admin"}, audit_by());
  store->insert_team(testing::make_team("team-x"), audit_by());
  store->add_team_member("team-x", persistence::TeamMember{"user-5", "user"}, audit_by());
  store->add_team_member("team-x", persistence::TeamMember{"user-6", "admin"}, audit_by());

  const auto all = store->list_users(UserFilter{}, 1, 5);
  CHECK(all.total_count == 12);
  REQUIRE(all.users.size() == 5);
  CHECK(all.users.front().user_id == "user-11");
  CHECK(store->list_users(UserFilter{}, 3, 5).users.size() == 2);

  UserFilter admins;
  admins.role = "proxy_admin";
  CHECK(store->list_users(admins, 1, 100).total_count == 4);

  UserFilter in_org;
  in_org.organization_id = "org-a";
  CHECK(store->list_users(in_org, 1, 100).total_count == 5);  // 4 by column + 1 member

  UserFilter in_team;
  in_team.team_id = "team-x";
  const auto team = store->list_users(in_team, 1, 100);
  CHECK(team.total_count == 2);
  in_team.role = "proxy_admin";
  CHECK(store->list_users(in_team, 1, 100).total_count == 1);  // user-6
}

STORE_TEST_CASE("users: update keeps spend and a missing user is false", "[store][users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto original = store->insert_user(make_user("u1"), audit_by());
  store->record_spend({}, {{persistence::EntityKind::user, "u1", 0.75}});
  UserRecord changed = make_user("u1", std::string("new@example.com"));
  changed.user_role = "internal_user_viewer";
  REQUIRE(store->update_user(changed, audit_by()));
  const auto read = store->find_user("u1");
  CHECK(read->user_email == std::optional<std::string>("new@example.com"));
  CHECK(read->user_role == "internal_user_viewer");
  CHECK(read->spend == 0.75);
  CHECK(read->created_at == original.created_at);
  CHECK_FALSE(store->update_user(make_user("u404"), audit_by()));
}

STORE_TEST_CASE("users: delete is all or nothing and removes memberships", "[store][users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_user(make_user("u1"), audit_by());
  store->insert_user(make_user("u2"), audit_by());
  store->insert_team(testing::make_team("t1"), audit_by());
  store->add_team_member("t1", persistence::TeamMember{"u1", "admin"}, audit_by());
  store->insert_organization(testing::make_organization("o1"), audit_by());
  store->add_organization_member("o1", persistence::OrgMember{"o1", "u1", "org_admin"}, audit_by());
  const auto key = store->insert_key(testing::make_key("sk-user-key-1", std::string("u1")), audit_by());

  CHECK_FALSE(store->delete_users({"u1", "u404"}, audit_by()));
  CHECK(store->find_user("u1"));
  CHECK(store->teams_of_user("u1").size() == 1);

  CHECK(store->delete_users({"u1"}, audit_by()));
  CHECK_FALSE(store->find_user("u1"));
  CHECK(store->teams_of_user("u1").empty());
  CHECK(store->organizations_of_user("u1").empty());
  CHECK(store->find_key(key.token_hash));  // delete_users keeps keys
  CHECK(store->find_user("u2"));
  CHECK(store->audit_log(std::string("u1"), 1).front().action == "deleted");
}

STORE_TEST_CASE("users: delete_users_and_keys removes the users' keys too", "[store][users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_user(make_user("u1"), audit_by());
  const auto k1 = store->insert_key(testing::make_key("sk-user-key-1", std::string("u1")), audit_by());
  const auto k2 = store->insert_key(testing::make_key("sk-user-key-2", std::string("u2")), audit_by());
  CHECK_FALSE(store->delete_users_and_keys({"u1", "u404"}, audit_by()));
  CHECK(store->find_key(k1.token_hash));
  const auto hashes = store->delete_users_and_keys({"u1"}, audit_by());
  REQUIRE(hashes);
  CHECK(*hashes == std::vector<std::string>{k1.token_hash});
  CHECK_FALSE(store->find_key(k1.token_hash));
  CHECK(store->find_key(k2.token_hash));
}

STORE_TEST_CASE("users: teams_of_user and organizations_of_user", "[store][users]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_team(testing::make_team("t1"), audit_by());
  store->insert_team(testing::make_team("t2"), audit_by());
  store->add_team_member("t2", persistence::TeamMember{"alice", "admin"}, audit_by());
  store->add_team_member("t1", persistence::TeamMember{"alice", "user"}, audit_by());
  CHECK(store->teams_of_user("alice") ==
        std::vector<std::pair<std::string, std::string>>{{"t1", "user"}, {"t2", "admin"}});
  CHECK(store->teams_of_user("nobody").empty());

  store->insert_organization(testing::make_organization("o1"), audit_by());
  store->add_organization_member("o1", persistence::OrgMember{"ignored", "alice", "org_admin"}, audit_by());
  const auto orgs = store->organizations_of_user("alice");
  REQUIRE(orgs.size() == 1);
  CHECK(orgs[0].organization_id == "o1");
  CHECK(orgs[0].user_role == "org_admin");
}
