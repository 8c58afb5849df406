// Backend behaviour: opening, reconnecting, error messages, sharing a Store between threads.
#include <cstdlib>
#include <functional>
#include <thread>

#include "core/key_hash.h"
#include "persistence/errors.h"
#include "persistence/postgres_connection.h"
#include "persistence/sqlite_connection.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"
#include "tests/support/test_env.h"

using namespace tollgate;
using persistence::Store;
using persistence::StoreError;
using testing::audit_by;

namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("backends: PostgreSQL reconnects after the server killed the session", "[store][postgres]") {
  testing::TestDatabase db("postgresql");
  auto store = db.migrated_store();
  const auto key = store->insert_key(testing::make_key("sk-reconnect-0001"), audit_by());
  REQUIRE(store->find_key(key.token_hash));

  REQUIRE(db.terminate_sessions() >= 1);
  // A read outside any transaction is retried once on a fresh connection.
  CHECK(store->find_key(key.token_hash));

  REQUIRE(db.terminate_sessions() >= 1);
  // A transaction starts on a fresh connection too.
  CHECK(store->set_key_blocked(key.token_hash, true, audit_by()));
  CHECK(store->find_key(key.token_hash)->blocked);

  REQUIRE(db.terminate_sessions() >= 1);
  CHECK(store->record_spend({testing::make_log("after-kill", key.token_hash, 1.0, 1)},
                            {{persistence::EntityKind::key, key.token_hash, 1.0}}) == 3);  // log, rollup, key
  CHECK(*store->entity_spend(persistence::EntityKind::key, key.token_hash) == 1.0);
}

TEST_CASE("backends: PostgreSQL outage fails calls with StoreError and recovers by itself", "[store][postgres]") {
  testing::TestDatabase db("postgresql");
  auto store = db.migrated_store();
  const auto key = store->insert_key(testing::make_key("sk-outage-000001"), audit_by());
  auto admin = std::make_unique<persistence::PostgresConnection>(std::getenv("TOLLGATE_TEST_PG_ADMIN_URL"));

  // The database refuses new sessions and the current one is killed: an outage.
  admin->execute_script("ALTER DATABASE " + db.database_name() + " ALLOW_CONNECTIONS false");
  REQUIRE(db.terminate_sessions() >= 1);
  CHECK_THROWS_AS(store->find_key(key.token_hash), StoreError);
  CHECK_THROWS_AS(store->set_key_blocked(key.token_hash, true, audit_by()), StoreError);
  CHECK_THROWS_AS(store->find_key(key.token_hash), StoreError);  // no connection left: no crash

  admin->execute_script("ALTER DATABASE " + db.database_name() + " ALLOW_CONNECTIONS true");
  CHECK(store->find_key(key.token_hash));
  CHECK(store->set_key_blocked(key.token_hash, true, audit_by()));
}

TEST_CASE("backends: PostgreSQL prepared statements stay bounded per session", "[store][postgres]") {
  testing::TestDatabase db("postgresql");
  persistence::PostgresConnection connection(db.url());
  for (int i = 0; i < 600; ++i) {
    // Distinct statements, some inside transactions (where the cache cannot be trimmed).
    const std::string sql = "SELECT $1::bigint + " + std::to_string(i);
    if (i % 2 == 0) connection.begin();
    CHECK(connection.query(sql, {persistence::SqlValue(std::int64_t{1})}).front().int64(0) == i + 1);
    if (i % 2 == 0) connection.commit();
  }
  const auto prepared = connection.query("SELECT COUNT(*) FROM pg_prepared_statements", {});
  CHECK(prepared.front().int64(0) <= 257);
}

TEST_CASE("backends: errors never contain the URL or the password", "[store][postgres]") {
  const std::string password = "Sup3rS3cretPw";
  testing::register_secret(password);
  const std::string refused = "postgresql://tollgate:" + password + "@127.0.0.1:1/tollgate";
  const std::string message = error_of([&] { persistence::PostgresConnection connection(refused); });
  CHECK_FALSE(message.empty());
  CHECK(message.find(password) == std::string::npos);
  CHECK(message.find(refused) == std::string::npos);

  const std::string bad_port = "postgresql://tollgate:" + password + "@127.0.0.1:notaport/db";
  const std::string bad_port_message = error_of([&] { Store::open(bad_port, ""); });
  CHECK_FALSE(bad_port_message.empty());
  CHECK(bad_port_message.find(password) == std::string::npos);

  const std::string wrong_scheme = "mysql://root:" + password + "@localhost/db";
  const std::string scheme_message = error_of([&] { Store::open(wrong_scheme, ""); });
  CHECK(scheme_message.find("postgresql://") != std::string::npos);
  CHECK(scheme_message.find(password) == std::string::npos);
}

TEST_CASE("backends: SQLite reports a path it cannot open", "[store][sqlite]") {
  CHECK_THROWS_AS(Store::open("", "/nonexistent-dir/for/sure/tollgate.db"), StoreError);
  CHECK_THROWS_AS(Store::open("", ""), StoreError);
}

STORE_TEST_CASE("backends: Store::open picks the backend and a Store is safe to share", "[store]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  CHECK(store->backend() == TestType::name);
  std::string error;
  std::mutex error_mutex;
  auto worker = [&](int id) {
    try {
      for (int i = 0; i < 25; ++i) {
        const std::string cleartext = "sk-shared-" + std::to_string(id) + "-" + std::to_string(i);
        store->insert_key(testing::make_key(cleartext), audit_by());
        if (!store->find_key(core::hash_key(cleartext))) throw StoreError("lost " + cleartext);
      }
    } catch (const std::exception& e) {
      std::scoped_lock lock(error_mutex);
      error = e.what();
    }
  };
  std::thread a(worker, 1);
  std::thread b(worker, 2);
  a.join();
  b.join();
  CHECK(error.empty());
  CHECK(store->list_keys({}, 1, 1).total_count == 50);
}

STORE_TEST_CASE("backends: SqlConnection basics behave the same", "[store]") {
  testing::TestDatabase db(TestType::name);
  auto c = db.open_connection();
  c->execute_script("CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, s TEXT)");
  CHECK(c->execute("INSERT INTO t (id, n, x, s) VALUES ($1, $2, $3, $4)",
                   {persistence::SqlValue("a"), persistence::SqlValue(std::int64_t{42}), persistence::SqlValue(0.1),
                    persistence::sql_null()}) == 1);
  // $1 used twice, parameters bound by number not by position of appearance.
  const auto rows = c->query("SELECT id, n, x, s FROM t WHERE n = $2 AND (id = $1 OR s = $1)",
                             {persistence::SqlValue("a"), persistence::SqlValue(std::int64_t{42})});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].text(0) == "a");
  CHECK(rows[0].int64(1) == 42);
  CHECK(rows[0].real(2) == 0.1);  // doubles round-trip exactly
  CHECK(rows[0].is_null(3));
  CHECK_FALSE(rows[0].optional_text(3));
  CHECK_THROWS_AS(rows[0].text(3), StoreError);

  CHECK_THROWS_AS(c->execute("INSERT INTO t (id) VALUES ($1)", {persistence::SqlValue("a")}),
                  persistence::DuplicateError);
  c->begin();
  c->execute("INSERT INTO t (id) VALUES ($1)", {persistence::SqlValue("b")});
  c->rollback();
  CHECK(c->query("SELECT COUNT(*) FROM t", {}).front().int64(0) == 1);
  c->begin();  // the rollback closed the transaction: a new one can open
  c->commit();
  CHECK(c->execute("UPDATE t SET n = n + 1", {}) == 1);
  CHECK_THROWS_AS(c->query("SELECT nonsense FROM nowhere", {}), StoreError);
  CHECK(c->query("SELECT COUNT(*) FROM t", {}).front().int64(0) == 1);  // still usable
}
