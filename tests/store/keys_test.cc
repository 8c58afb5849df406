// Store: virtual keys.
#include <chrono>

#include "core/key_hash.h"
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"
#include "tests/support/test_env.h"

using namespace tollgate;
using persistence::KeyFilter;
using persistence::KeyRecord;
using testing::audit_by;
using testing::make_key;

namespace {

KeyRecord full_key(const std::string& cleartext) {
  KeyRecord key = make_key(cleartext, std::string("user-1"), std::string("team-1"));
  key.key_alias = "my-alias";
  key.organization_id = "org-1";
  key.budget_id = "budget-1";
  key.models = {"gpt-4o", "claude-3-5-sonnet"};
  key.spend = 1.25;
  key.max_budget = 100.5;
  key.soft_budget = 80.25;
  key.budget_duration = "30d";
  key.budget_reset_at = 1'900'000'000'000;
  key.rpm_limit = 60;
  key.tpm_limit = 100'000;
  key.max_parallel_requests = 4;
  key.model_rpm_limit = {{"gpt-4o", 10}, {"claude-3-5-sonnet", 20}};
  key.model_tpm_limit = {{"gpt-4o", 5000}};
  key.expires_at = 1'800'000'000'000;
  key.blocked = false;
  key.metadata = R"({"env":"prod","tags":["a","b"]})";
  key.service_account = true;
  key.created_by = "admin-user";
  key.updated_by = "admin-user";
  key.created_at = 1'700'000'000'000;
  key.updated_at = 1'700'000'000'500;
  return key;
}

void check_same(const KeyRecord& a, const KeyRecord& b) {
  CHECK(a.token_hash == b.token_hash);
  CHECK(a.key_name == b.key_name);
  CHECK(a.key_alias == b.key_alias);
  CHECK(a.user_id == b.user_id);
  CHECK(a.team_id == b.team_id);
  CHECK(a.organization_id == b.organization_id);
  CHECK(a.budget_id == b.budget_id);
  CHECK(a.models == b.models);
  CHECK(a.spend == b.spend);
  CHECK(a.max_budget == b.max_budget);
  CHECK(a.soft_budget == b.soft_budget);
  CHECK(a.budget_duration == b.budget_duration);
  CHECK(a.budget_reset_at == b.budget_reset_at);
  CHECK(a.rpm_limit == b.rpm_limit);
  CHECK(a.tpm_limit == b.tpm_limit);
  CHECK(a.max_parallel_requests == b.max_parallel_requests);
  CHECK(a.model_rpm_limit == b.model_rpm_limit);
  CHECK(a.model_tpm_limit == b.model_tpm_limit);
  CHECK(a.expires_at == b.expires_at);
  CHECK(a.blocked == b.blocked);
  CHECK(a.metadata == b.metadata);
  CHECK(a.service_account == b.service_account);
  CHECK(a.created_by == b.created_by);
  CHECK(a.updated_by == b.updated_by);
  CHECK(a.created_at == b.created_at);
  CHECK(a.updated_at == b.updated_at);
}

std::int64_t count_rows(persistence::SqlConnection& c, const std::string& table) {
  return c.query("SELECT COUNT(*) FROM " + table, {}).front().int64(0);
}

}  // namespace

STORE_TEST_CASE("keys: every field round-trips and an unknown hash is not found", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const KeyRecord key = full_key("sk-roundtrip-0001");
  const KeyRecord stored = store->insert_key(key, audit_by());
  check_same(stored, key);

  const auto found = store->find_key(key.token_hash);
  REQUIRE(found);
  check_same(*found, key);
  CHECK_FALSE(store->find_key(core::hash_key("sk-never-issued")));

  // Defaults: NULLs stay NULL, empty lists and maps stay empty, timestamps are filled in.
  const KeyRecord minimal = make_key("sk-minimal-0002");
  const auto before =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  store->insert_key(minimal, audit_by());
  const auto read = store->find_key(minimal.token_hash);
  REQUIRE(read);
  CHECK_FALSE(read->key_alias);
  CHECK_FALSE(read->max_budget);
  CHECK_FALSE(read->expires_at);
  CHECK(read->models.empty());
  CHECK(read->model_rpm_limit.empty());
  CHECK(read->metadata == "{}");
  CHECK(read->spend == 0);
  CHECK(read->created_at >= before);
  CHECK(read->updated_at == read->created_at);
}

STORE_TEST_CASE("keys: a duplicate hash is a DuplicateError and changes nothing", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  KeyRecord key = make_key("sk-duplicate-0001");
  key.key_alias = "first";
  store->insert_key(key, audit_by());
  key.key_alias = "second";
  CHECK_THROWS_AS(store->insert_key(key, audit_by()), persistence::DuplicateError);
  CHECK(store->find_key(key.token_hash)->key_alias == std::optional<std::string>("first"));
  // The failed insert's audit row rolled back with it.
  CHECK(store->audit_log(key.token_hash, 10).size() == 1);
}

STORE_TEST_CASE("keys: metadata must be a JSON object", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  KeyRecord key = make_key("sk-bad-metadata-1");
  key.metadata = "not json";
  CHECK_THROWS_AS(store->insert_key(key, audit_by()), persistence::StoreError);
  CHECK_FALSE(store->find_key(key.token_hash));
}

STORE_TEST_CASE("keys: update replaces mutable columns but keeps spend and creation", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const KeyRecord original = store->insert_key(full_key("sk-update-000001"), audit_by());

  KeyRecord changed = make_key("sk-update-000001");
  changed.key_alias = "renamed";
  changed.models = {"gpt-4o-mini"};
  changed.spend = 999;  // ignored: spend moves only through the spend methods
  changed.max_budget = 5;
  changed.created_at = 1;
  changed.created_by = "someone-else";
  changed.updated_by = "editor";
  changed.model_rpm_limit = {{"gpt-4o-mini", 3}};
  REQUIRE(store->update_key(changed, audit_by("editor")));

  const auto read = store->find_key(original.token_hash);
  REQUIRE(read);
  CHECK(read->key_alias == std::optional<std::string>("renamed"));
  CHECK(read->models == std::vector<std::string>{"gpt-4o-mini"});
  CHECK(read->max_budget == std::optional<double>(5));
  CHECK(read->user_id == std::nullopt);  // replaced, not merged
  CHECK(read->model_rpm_limit == std::map<std::string, std::int64_t>{{"gpt-4o-mini", 3}});
  CHECK(read->spend == original.spend);
  CHECK(read->created_at == original.created_at);
  CHECK(read->created_by == original.created_by);
  CHECK(read->updated_by == std::optional<std::string>("editor"));
  CHECK(read->updated_at > original.updated_at);

  const auto audit = store->audit_log(original.token_hash, 10);
  REQUIRE(audit.size() == 2);
  CHECK(audit[0].action == "updated");
  CHECK(audit[0].changed_by == "editor");
  CHECK(audit[0].table_name == "keys");
  CHECK(audit[0].before_json.find("my-alias") != std::string::npos);
  CHECK(audit[0].after_json.find("renamed") != std::string::npos);

  CHECK_FALSE(store->update_key(make_key("sk-not-there-0001"), audit_by()));
}

STORE_TEST_CASE("keys: regenerate swaps the hash atomically and keeps spend", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const KeyRecord original = store->insert_key(full_key("sk-regenerate-old1"), audit_by());

  KeyRecord replacement = *store->find_key(original.token_hash);
  replacement.token_hash = core::hash_key("sk-regenerate-new1");
  replacement.key_name = core::key_display_name("sk-regenerate-new1");
  replacement.max_budget = 7;
  REQUIRE(store->regenerate_key(original.token_hash, replacement, audit_by()));

  CHECK_FALSE(store->find_key(original.token_hash));
  const auto read = store->find_key(replacement.token_hash);
  REQUIRE(read);
  CHECK(read->key_name == "sk-...new1");
  CHECK(read->spend == original.spend);
  CHECK(read->max_budget == std::optional<double>(7));
  CHECK(read->created_at == original.created_at);
  CHECK(store->audit_log(replacement.token_hash, 1).front().action == "regenerated");

  // Missing old key: nothing happens.
  KeyRecord other = make_key("sk-regenerate-new2");
  CHECK_FALSE(store->regenerate_key(core::hash_key("sk-missing-missing"), other, audit_by()));
  CHECK_FALSE(store->find_key(other.token_hash));

  // Onto a hash that already exists: DuplicateError, both rows untouched.
  const KeyRecord third = store->insert_key(make_key("sk-regenerate-3333"), audit_by());
  KeyRecord clash = *read;
  clash.token_hash = third.token_hash;
  CHECK_THROWS_AS(store->regenerate_key(replacement.token_hash, clash, audit_by()), persistence::DuplicateError);
  CHECK(store->find_key(replacement.token_hash));
  CHECK(store->find_key(third.token_hash)->key_name == third.key_name);
}

STORE_TEST_CASE("keys: delete is all or nothing", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto a = store->insert_key(make_key("sk-delete-aaaa"), audit_by());
  const auto b = store->insert_key(make_key("sk-delete-bbbb"), audit_by());
  const auto c = store->insert_key(make_key("sk-delete-cccc"), audit_by());

  CHECK_FALSE(store->delete_keys({a.token_hash, core::hash_key("sk-delete-none"), b.token_hash}, audit_by()));
  CHECK(store->find_key(a.token_hash));
  CHECK(store->find_key(b.token_hash));
  CHECK(store->audit_log(a.token_hash, 10).size() == 1);

  CHECK(store->delete_keys({a.token_hash, b.token_hash, a.token_hash}, audit_by("deleter")));
  CHECK_FALSE(store->find_key(a.token_hash));
  CHECK_FALSE(store->find_key(b.token_hash));
  CHECK(store->find_key(c.token_hash));
  const auto audit = store->audit_log(b.token_hash, 10);
  REQUIRE(audit.size() == 2);
  CHECK(audit[0].action == "deleted");
  CHECK(audit[0].changed_by == "deleter");
  CHECK(audit[0].before_json.find(b.token_hash) != std::string::npos);

  CHECK(store->delete_keys({}, audit_by()));  // nothing asked, nothing missing
}

STORE_TEST_CASE("keys: block and unblock", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const auto key = store->insert_key(make_key("sk-block-000001"), audit_by());
  REQUIRE(store->set_key_blocked(key.token_hash, true, audit_by()));
  CHECK(store->find_key(key.token_hash)->blocked);
  CHECK(store->audit_log(key.token_hash, 1).front().action == "blocked");
  REQUIRE(store->set_key_blocked(key.token_hash, false, audit_by()));
  CHECK_FALSE(store->find_key(key.token_hash)->blocked);
  CHECK(store->audit_log(key.token_hash, 1).front().action == "unblocked");
  CHECK_FALSE(store->set_key_blocked(core::hash_key("sk-block-missing"), true, audit_by()));
}

STORE_TEST_CASE("keys: keys_of_team and keys_of_user", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_key(make_key("sk-owner-1", std::string("u1"), std::string("t1")), audit_by());
  store->insert_key(make_key("sk-owner-2", std::string("u1"), std::string("t2")), audit_by());
  store->insert_key(make_key("sk-owner-3", std::string("u2"), std::string("t1")), audit_by());
  CHECK(store->keys_of_team("t1").size() == 2);
  CHECK(store->keys_of_team("t2").size() == 1);
  CHECK(store->keys_of_team("t3").empty());
  CHECK(store->keys_of_user("u1").size() == 2);
  CHECK(store->keys_of_user("u9").empty());
}

STORE_TEST_CASE("keys: list pages, filters, scopes and counts", "[store][keys]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  for (int i = 0; i < 25; ++i) {
    KeyRecord key = make_key("sk-list-" + std::to_string(i), "user-" + std::to_string(i % 3),
                             i % 2 == 0 ? std::optional<std::string>("team-even") : std::nullopt);
    key.created_at = 1'000 + i;  // distinct creation times: newest first is key 24
    key.key_alias = i == 7 ? std::optional<std::string>("seven") : std::nullopt;
    key.organization_id = i < 5 ? std::optional<std::string>("org-a") : std::nullopt;
    store->insert_key(key, audit_by());
  }

  auto page1 = store->list_keys(KeyFilter{}, 1, 10);
  CHECK(page1.total_count == 25);
  REQUIRE(page1.keys.size() == 10);
  CHECK(page1.keys.front().token_hash == core::hash_key("sk-list-24"));
  auto page3 = store->list_keys(KeyFilter{}, 3, 10);
  CHECK(page3.keys.size() == 5);
  CHECK(page3.keys.back().token_hash == core::hash_key("sk-list-0"));
  CHECK(store->list_keys(KeyFilter{}, 4, 10).keys.empty());
  CHECK(store->list_keys(KeyFilter{}, 0, 10).keys.size() == 10);  // page < 1 reads as 1

  KeyFilter by_user;
  by_user.user_id = "user-1";
  CHECK(store->list_keys(by_user, 1, 100).total_count == 8);

  KeyFilter by_user_and_team;
  by_user_and_team.user_id = "user-0";
  by_user_and_team.team_id = "team-even";
  const auto both = store->list_keys(by_user_and_team, 1, 100);
  CHECK(both.total_count == 5);  // i in {0, 6, 12, 18, 24}
  CHECK(both.keys.size() == 5);

  KeyFilter by_alias;
  by_alias.key_alias = "seven";
  const auto seven = store->list_keys(by_alias, 1, 100);
  REQUIRE(seven.keys.size() == 1);
  CHECK(seven.keys.front().token_hash == core::hash_key("sk-list-7"));

  KeyFilter by_org;
  by_org.organization_id = "org-a";
  CHECK(store->list_keys(by_org, 1, 2).total_count == 5);
  CHECK(store->list_keys(by_org, 1, 2).keys.size() == 2);

  // Scoping: own keys (user-2) or keys of teams the caller belongs to (team-even).
  KeyFilter scoped;
  scoped.user_ids_any = {"user-2"};
  scoped.team_ids_any = {"team-even"};
  // user-2: i = 2,5,8,11,14,17,20,23 (8); team-even: 13 keys; overlap i = 2,8,14,20 (4).
  CHECK(store->list_keys(scoped, 1, 100).total_count == 17);
  KeyFilter only_teams;
  only_teams.team_ids_any = {"team-even", "team-none"};
  CHECK(store->list_keys(only_teams, 1, 100).total_count == 13);
}

STORE_TEST_CASE("keys: no table holds a cleartext key", "[store][keys][security]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  const std::string cleartext = "sk-cleartext-canary-Zq81xV";
  testing::register_secret(cleartext);  // scripts/check-secrets also greps every log for it
  KeyRecord key = make_key(cleartext, std::string("user-1"), std::string("team-1"));
  store->insert_key(key, audit_by());
  store->set_key_blocked(key.token_hash, true, audit_by());
  store->update_key(key, audit_by());
  persistence::SpendLogRow log = testing::make_log("req-1", key.token_hash, 0.5, 1000);
  store->record_spend({log}, {{persistence::EntityKind::key, key.token_hash, 0.5}});
  // A caller that carelessly puts the cleartext into its audit JSON still does not leak it.
  auto careless = audit_by();
  careless.after_json = "{\"key\":\"" + cleartext + "\"}";
  store->set_key_blocked(key.token_hash, false, careless);

  auto connection = db.open_connection();
  int columns_checked = 0;
  for (const auto& table : testing::table_names(*connection)) {
    for (const auto& column : testing::column_names(*connection, table)) {
      INFO(table << "." << column);
      const auto rows =
          connection->query("SELECT COUNT(*) FROM " + table + " WHERE CAST(" + column + " AS TEXT) LIKE $1",
                            {persistence::SqlValue("%" + cleartext.substr(3) + "%")});
      CHECK(rows.front().int64(0) == 0);
      ++columns_checked;
    }
  }
  CHECK(columns_checked > 50);
  CHECK(count_rows(*connection, "keys") == 1);
}
