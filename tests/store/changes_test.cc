// Change events: every committed management write reports exactly what it changed to the
// store's ChangeListener, once, after the commit; a write that rolls back (a missing row, a
// duplicate, a conflict, an exception half-way) reports nothing; spend does not report.
#include <future>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <utility>

#include "persistence/errors.h"
#include "persistence/store_pool.h"
#include "persistence/transaction.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::Change;
using persistence::ChangeKind;
using persistence::EntityKind;
using persistence::TeamMember;
using testing::audit_by;
using testing::make_key;
using testing::make_team;
using testing::make_user;
using namespace std::chrono_literals;

namespace tollgate::persistence {
// For Catch's messages: "team[t-1,t-2]".
std::ostream& operator<<(std::ostream& out, const Change& change) {
  static const char* const kNames[] = {"key", "user", "team", "organization", "budget", "mcp_server"};
  out << kNames[static_cast<int>(change.kind)] << "[";
  for (std::size_t i = 0; i < change.ids.size(); ++i) out << (i ? "," : "") << change.ids[i];
  return out << "]";
}
}  // namespace tollgate::persistence

namespace {

using Changes = std::vector<Change>;

class RecordingListener final : public persistence::ChangeListener {
 public:
  void committed(const Changes& changes) noexcept override {
    std::scoped_lock lock(mutex_);
    calls_.push_back(changes);
  }
  // What was reported since the last call, one entry per committed transaction.
  std::vector<Changes> take() {
    std::scoped_lock lock(mutex_);
    return std::exchange(calls_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<Changes> calls_;
};

std::vector<Changes> once(Changes changes) { return {std::move(changes)}; }

struct Recorded {
  explicit Recorded(const std::string& backend) : db(backend), store(db.migrated_store()) {
    store->set_change_listener(&listener);
  }
  testing::TestDatabase db;
  std::unique_ptr<persistence::Store> store;
  RecordingListener listener;
};

}  // namespace

STORE_TEST_CASE("changes: key writes report the key's hash", "[store][changes]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  const auto key = make_key("sk-change-1");
  store.insert_key(key, audit_by());
  CHECK(r.listener.take() == once({{ChangeKind::key, {key.token_hash}}}));

  auto updated = key;
  updated.max_budget = 3;
  REQUIRE(store.update_key(updated, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::key, {key.token_hash}}}));

  REQUIRE(store.set_key_blocked(key.token_hash, true, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::key, {key.token_hash}}}));

  REQUIRE(store.set_spend(EntityKind::key, key.token_hash, 1.5, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::key, {key.token_hash}}}));

  const auto replacement = make_key("sk-change-2");
  REQUIRE(store.regenerate_key(key.token_hash, replacement, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::key, {key.token_hash, replacement.token_hash}}}));

  const auto other = make_key("sk-change-3");
  store.insert_key(other, audit_by());
  r.listener.take();
  REQUIRE(store.delete_keys({replacement.token_hash, other.token_hash, other.token_hash}, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::key, {replacement.token_hash, other.token_hash}}}));
}

STORE_TEST_CASE("changes: team writes report the team and the members whose memberships changed", "[store][changes]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  auto team = make_team("t-1");
  team.members = {TeamMember{"alice", "admin"}, TeamMember{"bob", "user"}};
  store.insert_team(team, audit_by());
  CHECK(r.listener.take() == once({{ChangeKind::team, {"t-1"}}, {ChangeKind::user, {"alice", "bob"}}}));

  team.max_budget = 7;
  REQUIRE(store.update_team(team, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::team, {"t-1"}}}));

  REQUIRE(store.add_team_member("t-1", TeamMember{"carol", "user"}, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::team, {"t-1"}}, {ChangeKind::user, {"carol"}}}));
  REQUIRE(store.remove_team_member("t-1", "bob", audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::team, {"t-1"}}, {ChangeKind::user, {"bob"}}}));

  const auto key = make_key("sk-team-key", std::nullopt, std::string("t-1"));
  store.insert_key(key, audit_by());
  store.insert_team(make_team("t-2"), audit_by());
  r.listener.take();
  const auto deleted = store.delete_teams({"t-1", "t-2"}, audit_by());
  REQUIRE(deleted);
  CHECK(r.listener.take() == once({{ChangeKind::key, {key.token_hash}},
                                   {ChangeKind::team, {"t-1", "t-2"}},
                                   {ChangeKind::user, {"alice", "carol"}}}));
}

STORE_TEST_CASE("changes: user writes report the user, its deleted keys and the teams it leaves", "[store][changes]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  store.insert_user(make_user("u-1"), audit_by());
  CHECK(r.listener.take() == once({{ChangeKind::user, {"u-1"}}}));

  auto user = make_user("u-1");
  user.user_role = "proxy_admin_viewer";
  REQUIRE(store.update_user(user, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::user, {"u-1"}}}));
  REQUIRE(store.set_spend(EntityKind::user, "u-1", 2, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::user, {"u-1"}}}));
  REQUIRE(store.reset_spend(EntityKind::user, "u-1", std::nullopt, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::user, {"u-1"}}}));

  store.insert_team(make_team("t-1"), audit_by());
  store.add_team_member("t-1", TeamMember{"u-1", "user"}, audit_by());
  const auto key = make_key("sk-user-key", std::string("u-1"));
  store.insert_key(key, audit_by());
  r.listener.take();
  const auto deleted = store.delete_users_and_keys({"u-1"}, audit_by());
  REQUIRE(deleted);
  CHECK(r.listener.take() ==
        once({{ChangeKind::key, {key.token_hash}}, {ChangeKind::team, {"t-1"}}, {ChangeKind::user, {"u-1"}}}));
}

STORE_TEST_CASE("changes: organization writes report the organization, memberships report the user",
                "[store][changes]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  auto org = testing::make_organization("o-1");
  store.insert_organization(org, audit_by());
  CHECK(r.listener.take() == once({{ChangeKind::organization, {"o-1"}}}));
  org.max_budget = 9;
  REQUIRE(store.update_organization(org, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::organization, {"o-1"}}}));

  REQUIRE(store.add_organization_member("o-1", persistence::OrgMember{"o-1", "dave", "org_admin"}, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::user, {"dave"}}}));
  REQUIRE(store.add_organization_member("o-1", persistence::OrgMember{"o-1", "erin", "internal_user"}, audit_by()));
  REQUIRE(store.remove_organization_member("o-1", "erin", audit_by()));
  CHECK(r.listener.take() == std::vector<Changes>{{{ChangeKind::user, {"erin"}}}, {{ChangeKind::user, {"erin"}}}});

  REQUIRE(store.delete_organizations({"o-1"}, audit_by()));
  CHECK(r.listener.take() == once({{ChangeKind::user, {"dave"}}, {ChangeKind::organization, {"o-1"}}}));
}

STORE_TEST_CASE("changes: budget writes report the budget", "[store][changes]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  auto budget = testing::make_budget("b-1");
  store.insert_budget(budget, audit_by());
  budget.max_budget = 20;
  REQUIRE(store.update_budget(budget, audit_by()));
  REQUIRE(store.delete_budget("b-1", audit_by()));
  const Changes expected{{ChangeKind::budget, {"b-1"}}};
  CHECK(r.listener.take() == std::vector<Changes>{expected, expected, expected});
}

STORE_TEST_CASE("changes: MCP server writes report the server", "[store][changes][mcp]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  persistence::McpServerRecord server;
  server.server_id = "m-1";
  server.server_name = "files";
  server.url = "https://mcp.example.com/mcp";
  store.insert_mcp_server(server, audit_by());
  server.description = "changed";
  REQUIRE(store.update_mcp_server(server, audit_by()));
  REQUIRE(store.delete_mcp_server("m-1", audit_by()));
  CHECK_FALSE(store.delete_mcp_server("m-1", audit_by()));
  const Changes expected{{ChangeKind::mcp_server, {"m-1"}}};
  CHECK(r.listener.take() == std::vector<Changes>{expected, expected, expected});
}

STORE_TEST_CASE("changes: model writes report the model id", "[store][changes][models]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  persistence::ModelRecord model;
  model.model_id = "md-1";
  model.model_name = "gpt-x";
  store.insert_model(model, audit_by());
  model.model_name = "gpt-y";
  REQUIRE(store.update_model(model, audit_by()));
  REQUIRE(store.delete_model("md-1", audit_by()));
  CHECK_FALSE(store.delete_model("md-1", audit_by()));
  const Changes expected{{ChangeKind::model, {"md-1"}}};
  CHECK(r.listener.take() == std::vector<Changes>{expected, expected, expected});
}

STORE_TEST_CASE("changes: writes that roll back or change nothing report nothing", "[store][changes]") {
  Recorded r(TestType::name);
  auto& store = *r.store;
  const auto key = make_key("sk-kept");
  store.insert_key(key, audit_by());
  store.insert_organization(testing::make_organization("o-1"), audit_by());
  store.insert_team(make_team("t-1", std::string("o-1")), audit_by());
  auto budget = testing::make_budget("b-1");
  store.insert_budget(budget, audit_by());
  auto keyed = make_key("sk-budgeted");
  keyed.budget_id = "b-1";
  store.insert_key(keyed, audit_by());
  r.listener.take();

  CHECK_THROWS_AS(store.insert_key(key, audit_by()), persistence::DuplicateError);
  CHECK_THROWS_AS(store.insert_team(make_team("t-2", std::string("no-such-org")), audit_by()),
                  persistence::ConflictError);
  CHECK_FALSE(store.delete_keys({key.token_hash, make_key("sk-missing").token_hash}, audit_by()));
  CHECK_FALSE(store.update_key(make_key("sk-missing"), audit_by()));
  CHECK_FALSE(store.delete_teams({"t-1", "t-missing"}, audit_by()));
  CHECK_FALSE(store.remove_team_member("t-1", "nobody", audit_by()));
  CHECK_THROWS_AS(store.delete_organizations({"o-1"}, audit_by()), persistence::ConflictError);  // has a team
  CHECK_THROWS_AS(store.delete_budget("b-1", audit_by()), persistence::ConflictError);           // a key uses it
  CHECK_FALSE(store.delete_users({"u-missing"}, audit_by()));
  CHECK(r.listener.take().empty());
  CHECK(store.find_key(key.token_hash));
  CHECK(store.find_team("t-1"));

  // Spend belongs to the budget owners: flushes and window resets are not reported.
  store.record_spend({testing::make_log("req-1", key.token_hash, 0.5, 1000)},
                     {persistence::SpendIncrement{EntityKind::key, key.token_hash, 0.5}});
  REQUIRE(store.reset_spend(EntityKind::key, key.token_hash, std::nullopt));
  CHECK(r.listener.take().empty());
}

STORE_TEST_CASE("changes: a transaction reports its changes once after COMMIT and never after a rollback",
                "[store][changes]") {
  testing::TestDatabase db(TestType::name);
  db.migrated_store();
  auto connection = db.open_connection();
  RecordingListener listener;
  try {
    persistence::Transaction tx(*connection, &listener);
    connection->execute("DELETE FROM budgets", {});
    tx.changed(ChangeKind::budget, "b-1");
    throw std::runtime_error("half-way");
  } catch (const std::runtime_error&) {
  }
  CHECK(listener.take().empty());
  {
    persistence::Transaction tx(*connection, &listener);
    tx.changed(ChangeKind::team, "t-1");
    tx.changed(ChangeKind::user, std::vector<std::string>{"u-1", "u-2"});
    tx.changed(ChangeKind::team, "t-1");
    tx.changed(ChangeKind::team, "t-2");
    CHECK(listener.take().empty());  // nothing before the commit
    tx.commit();
  }
  CHECK(listener.take() == once({{ChangeKind::team, {"t-1", "t-2"}}, {ChangeKind::user, {"u-1", "u-2"}}}));
  {
    persistence::Transaction tx(*connection, &listener);
    tx.commit();  // changed nothing
  }
  CHECK(listener.take().empty());
}

STORE_TEST_CASE("changes: a store pool's stores report to the pool's listener", "[store][changes][pool]") {
  testing::TestDatabase db(TestType::name);
  db.migrated_store();
  RecordingListener listener;
  persistence::StorePool pool(db.url(), db.sqlite_path(), 2, 10, nullptr, &listener);
  std::promise<void> done;
  pool.submit(
      [&](persistence::Store& store) {
        store.insert_team(make_team("t-pool"), audit_by());
        done.set_value();
      },
      nullptr);
  REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
  CHECK(listener.take() == once({{ChangeKind::team, {"t-pool"}}}));
  pool.stop();
}
