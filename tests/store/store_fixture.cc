#include "tests/store/store_fixture.h"

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <thread>

#include "core/key_hash.h"
#include "persistence/sqlite_connection.h"
#include "tests/support/test_env.h"

namespace tollgate::testing {
namespace {

std::string admin_url() {
  const char* url = std::getenv("TOLLGATE_TEST_PG_ADMIN_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "TOLLGATE_TEST_PG_ADMIN_URL is not set: run the store tests through scripts/test, or "
        "eval \"$(scripts/start-services)\" first");
  }
  return url;
}

std::string random_database_name() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<std::uint64_t>(device()) << 32) ^ device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "tg_";
  for (int i = 0; i < 16; ++i) name.push_back(kHex[rng() % 16]);
  return name;
}

// postgresql://user@host:port/postgres?x=y -> postgresql://user@host:port/<database>?x=y
std::string with_database(const std::string& url, const std::string& database) {
  const auto authority = url.find("://");
  const auto path = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  if (path == std::string::npos) return url + "/" + database;
  const auto query = url.find('?', path);
  return url.substr(0, path + 1) + database + (query == std::string::npos ? "" : url.substr(query));
}

}  // namespace

TestDatabase::TestDatabase(const std::string& backend) : backend_(backend) {
  if (!is_postgres()) {
    sqlite_path_ = temp_dir() + "/store.db";
    return;
  }
  const std::string admin = admin_url();
  admin_ = std::make_unique<persistence::PostgresConnection>(admin);
  name_ = random_database_name();
  admin_->execute_script("CREATE DATABASE " + name_);
  url_ = with_database(admin, name_);
}

TestDatabase::~TestDatabase() {
  if (!admin_) return;
  try {
    admin_->execute_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    WARN("could not drop test database " << name_ << ": " << e.what());
  }
}

std::unique_ptr<persistence::Store> TestDatabase::open_store() const {
  return persistence::Store::open(url_, sqlite_path_);
}

std::unique_ptr<persistence::Store> TestDatabase::migrated_store() const {
  auto store = open_store();
  store->migrate();
  return store;
}

std::unique_ptr<persistence::SqlConnection> TestDatabase::open_connection() const {
  if (is_postgres()) return std::make_unique<persistence::PostgresConnection>(url_);
  return std::make_unique<persistence::SqliteConnection>(sqlite_path_);
}

std::string TestDatabase::gateway_settings() const {
  return is_postgres() ? std::string() : "  sqlite_path: " + sqlite_path_ + "\n";
}

std::map<std::string, std::string> TestDatabase::gateway_env() const {
  if (is_postgres()) return {{"DATABASE_URL", url_}};
  return {};
}

int TestDatabase::terminate_sessions() const {
  const auto rows = admin_->query(
      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = $1 AND pid <> pg_backend_pid()",
      {persistence::SqlValue(name_)});
  return rows.empty() ? 0 : static_cast<int>(rows.front().int64(0));
}

std::vector<std::string> table_names(persistence::SqlConnection& connection) {
  const char* sql = connection.backend() == "postgresql" ? "SELECT table_name FROM information_schema.tables "
                                                           "WHERE table_schema = current_schema() ORDER BY table_name"
                                                         : "SELECT name FROM sqlite_master WHERE type = 'table' "
                                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name";
  std::vector<std::string> names;
  for (const auto& row : connection.query(sql, {})) names.push_back(row.text(0));
  return names;
}

std::vector<std::string> column_names(persistence::SqlConnection& connection, const std::string& table) {
  std::vector<std::string> names;
  if (connection.backend() == "postgresql") {
    for (const auto& row :
         connection.query("SELECT column_name FROM information_schema.columns "
                          "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                          {persistence::SqlValue(table)})) {
      names.push_back(row.text(0));
    }
  } else {
    // PRAGMA table_info: (cid, name, type, notnull, dflt_value, pk)
    for (const auto& row : connection.query("PRAGMA table_info(" + table + ")", {})) {
      names.push_back(row.text(1));
    }
  }
  return names;
}

std::vector<persistence::SpendLogRow> spend_rows_of_key(const TestDatabase& db, const std::string& key,
                                                        std::size_t expect) {
  auto store = db.migrated_store();
  persistence::SpendLogFilter filter;
  filter.api_key = core::hash_key(key);
  std::vector<persistence::SpendLogRow> rows;
  for (int i = 0; i < 100; ++i) {
    rows = store->spend_logs(filter, 100);
    if (rows.size() >= expect) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return rows;
}

}  // namespace tollgate::testing
