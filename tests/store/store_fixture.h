#pragma once
// Every store test runs against both backends: STORE_TEST_CASE instantiates the test once
// for SQLite and once for PostgreSQL, so test names (and failures) carry the backend.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

#include "persistence/postgres_connection.h"
#include "persistence/sql.h"
#include "persistence/store.h"

namespace tollgate::testing {

struct Sqlite {
  static constexpr const char* name = "sqlite";
};
struct PostgreSQL {
  static constexpr const char* name = "postgresql";
};

// A fresh, empty database for one test: a SQLite file in a new temp directory, or a new
// PostgreSQL database `tg_<random>` created through TOLLGATE_TEST_PG_ADMIN_URL and dropped
// (WITH (FORCE)) when the fixture goes away. Without that variable the PostgreSQL half fails:
// scripts/test always provides it.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& backend() const { return backend_; }
  bool is_postgres() const { return backend_ == "postgresql"; }
  // postgresql://… of the test database (empty for SQLite).
  const std::string& url() const { return url_; }
  const std::string& database_name() const { return name_; }
  // The SQLite file (empty for PostgreSQL).
  const std::string& sqlite_path() const { return sqlite_path_; }

  // A new Store on its own connection; `open_store` leaves the database as it is.
  std::unique_ptr<persistence::Store> open_store() const;
  std::unique_ptr<persistence::Store> migrated_store() const;
  // A raw connection to the same database, for inspecting tables behind the Store's back.
  std::unique_ptr<persistence::SqlConnection> open_connection() const;

  // For a gateway on this database: the general_settings entry of the SQLite file (indented
  // under `general_settings:`; "" for PostgreSQL) and the environment naming PostgreSQL.
  std::string gateway_settings() const;
  std::map<std::string, std::string> gateway_env() const;

  // PostgreSQL: terminates every session on the test database from the admin connection and
  // returns how many were terminated.
  int terminate_sessions() const;

 private:
  std::string backend_;
  std::string url_;
  std::string sqlite_path_;
  std::string name_;
  std::unique_ptr<persistence::PostgresConnection> admin_;
};

// The table names of the database (excluding internal ones) and their columns.
std::vector<std::string> table_names(persistence::SqlConnection& connection);
std::vector<std::string> column_names(persistence::SqlConnection& connection, const std::string& table);

// The spend-log rows of a key (its cleartext), once the spend writer has flushed at least
// `expect` of them (or after 5 s, with what there is).
std::vector<persistence::SpendLogRow> spend_rows_of_key(const TestDatabase& db, const std::string& key,
                                                        std::size_t expect);

}  // namespace tollgate::testing

// Unqualified so that test names read "… - Sqlite" / "… - PostgreSQL".
using tollgate::testing::PostgreSQL;
using tollgate::testing::Sqlite;
#define STORE_TEST_CASE(title, tags) TEMPLATE_TEST_CASE(title, tags, Sqlite, PostgreSQL)
