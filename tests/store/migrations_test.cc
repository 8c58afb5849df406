// Versioned migrations: fresh, idempotent, concurrent, atomic.
#include <algorithm>
#include <atomic>
#include <thread>

#include "persistence/errors.h"
#include "persistence/migrations.h"
#include "tests/store/store_fixture.h"

using namespace tollgate;
using persistence::StoreError;

namespace {

int latest_version() { return persistence::embedded_migrations().back().version; }

}  // namespace

TEST_CASE("migrations: embedded files are numbered 1, 2, 3 … without gaps", "[store][migrations]") {
  const auto& migrations = persistence::embedded_migrations();
  REQUIRE_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    INFO(migrations[i].name);
    CHECK(migrations[i].version == static_cast<int>(i) + 1);
    CHECK_FALSE(migrations[i].sql.empty());
  }
}

TEST_CASE("migrations: {{AUTO_ID}} is the only per-backend piece", "[store][migrations]") {
  CHECK(persistence::sql_for_backend("id {{AUTO_ID}},", "sqlite") == "id INTEGER PRIMARY KEY AUTOINCREMENT,");
  CHECK(persistence::sql_for_backend("id {{AUTO_ID}},", "postgresql") == "id BIGSERIAL PRIMARY KEY,");
}

STORE_TEST_CASE("migrations: a fresh database migrates to the latest version, once", "[store][migrations]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.open_store();
  CHECK(store->backend() == TestType::name);
  CHECK(persistence::schema_version(*db.open_connection()) == 0);

  const auto first = store->migrate();
  CHECK(first.from_version == 0);
  CHECK(first.to_version == latest_version());
  CHECK(first.applied == static_cast<int>(persistence::embedded_migrations().size()));
  CHECK(persistence::schema_version(*db.open_connection()) == latest_version());

  const auto second = store->migrate();
  CHECK(second.applied == 0);
  CHECK(second.from_version == latest_version());
  CHECK(second.to_version == latest_version());

  // A new connection (a restarted node) sees the same version and applies nothing.
  auto restarted = db.open_store();
  CHECK(persistence::schema_version(*db.open_connection()) == latest_version());
  CHECK(restarted->migrate().applied == 0);
}

STORE_TEST_CASE("migrations: nodes starting together migrate exactly once", "[store][migrations]") {
  for (int round = 0; round < 3; ++round) {
    testing::TestDatabase fresh(TestType::name);
    auto a = fresh.open_store();
    auto b = fresh.open_store();
    std::atomic<int> ready{0};
    persistence::MigrationResult result_a, result_b;
    std::string error_a, error_b;
    auto run = [&ready](persistence::Store& store, persistence::MigrationResult& result, std::string& error) {
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      try {
        result = store.migrate();
      } catch (const std::exception& e) {
        error = e.what();
      }
    };
    std::thread ta(run, std::ref(*a), std::ref(result_a), std::ref(error_a));
    std::thread tb(run, std::ref(*b), std::ref(result_b), std::ref(error_b));
    ta.join();
    tb.join();
    INFO("round " << round);
    CHECK(error_a.empty());
    CHECK(error_b.empty());
    CHECK(result_a.applied + result_b.applied == static_cast<int>(persistence::embedded_migrations().size()));
    // PostgreSQL's advisory lock makes one node apply everything. SQLite has no such lock: each
    // migration is its own write transaction (a failing one keeps those before it), so two
    // nodes may share the work — each migration still applied exactly once (above, below).
    if (std::string(TestType::name) == "postgresql") CHECK((result_a.applied == 0 || result_b.applied == 0));
    CHECK(result_a.to_version == latest_version());
    CHECK(result_b.to_version == latest_version());
    auto check = fresh.open_connection();
    CHECK(check->query("SELECT COUNT(*) FROM schema_migrations", {}).front().int64(0) ==
          static_cast<std::int64_t>(persistence::embedded_migrations().size()));
  }
}

STORE_TEST_CASE("migrations: a failing migration leaves neither its tables nor its version", "[store][migrations]") {
  testing::TestDatabase db(TestType::name);
  auto connection = db.open_connection();
  std::vector<persistence::Migration> migrations = persistence::embedded_migrations();
  const int good = migrations.back().version;
  migrations.push_back(persistence::Migration{
      good + 1, "broken", "CREATE TABLE half_done (a INTEGER);\nINSERT INTO table_that_does_not_exist VALUES (1);"});

  CHECK_THROWS_AS(persistence::migrate(*connection, migrations), StoreError);
  CHECK(persistence::schema_version(*connection) == good);
  const auto tables = testing::table_names(*connection);
  CHECK(std::find(tables.begin(), tables.end(), "half_done") == tables.end());
  CHECK(std::find(tables.begin(), tables.end(), "keys") != tables.end());

  // Fixed and re-run: it applies now.
  migrations.back().sql = "CREATE TABLE half_done (a INTEGER);";
  const auto result = persistence::migrate(*connection, migrations);
  CHECK(result.applied == 1);
  CHECK(result.to_version == good + 1);
}

STORE_TEST_CASE("migrations: the schema has every table of the design", "[store][migrations]") {
  testing::TestDatabase db(TestType::name);
  db.migrated_store();
  auto connection = db.open_connection();
  const auto tables = testing::table_names(*connection);
  for (const char* table : {"audit_log", "budgets", "keys", "organization_members", "organizations",
                            "schema_migrations", "spend_logs", "team_members", "teams", "users"}) {
    INFO(table);
    CHECK(std::find(tables.begin(), tables.end(), table) != tables.end());
  }
  const auto key_columns = testing::column_names(*connection, "keys");
  CHECK(std::find(key_columns.begin(), key_columns.end(), "token_hash") != key_columns.end());
  CHECK(std::find(key_columns.begin(), key_columns.end(), "model_rpm_limit") != key_columns.end());
}

STORE_TEST_CASE("migrations: a database a newer version migrated is refused before anything is written",
                "[store][migrations]") {
  testing::TestDatabase db(TestType::name);
  auto connection = db.open_connection();
  std::vector<persistence::Migration> newer = persistence::embedded_migrations();
  const int current = newer.back().version;
  newer.push_back(persistence::Migration{current + 1, "from_the_future", "CREATE TABLE future_table (a INTEGER);"});
  REQUIRE(persistence::migrate(*connection, newer).to_version == current + 1);

  // This version's migrations stop one short of the database's.
  try {
    persistence::migrate(*connection);
    FAIL("a downgrade was not refused");
  } catch (const StoreError& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains("version " + std::to_string(current + 1)));
    CHECK_THAT(message, Catch::Contains("downgrades are not supported"));
  }
  CHECK(persistence::schema_version(*connection) == current + 1);
  CHECK_THROWS_AS(db.open_store()->migrate(), StoreError);
}
