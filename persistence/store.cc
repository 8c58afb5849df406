#include "persistence/store.h"

#include "persistence/errors.h"
#include "persistence/postgres_connection.h"
#include "persistence/sqlite_connection.h"

namespace tollgate::persistence {
namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Store::Store(std::unique_ptr<SqlConnection> connection) : connection_(std::move(connection)) {
  if (!connection_) throw StoreError("Store needs a connection");
}

Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::string& database_url_or_empty, const std::string& sqlite_path) {
  if (database_url_or_empty.empty()) {
    if (sqlite_path.empty()) throw StoreError("no database URL and no SQLite path configured");
    return std::make_unique<Store>(std::make_unique<SqliteConnection>(sqlite_path));
  }
  if (starts_with(database_url_or_empty, "postgresql://") || starts_with(database_url_or_empty, "postgres://")) {
    return std::make_unique<Store>(std::make_unique<PostgresConnection>(database_url_or_empty));
  }
  // Never echo the URL: it may carry a password.
  throw StoreError("unsupported database URL: expected postgresql:// or postgres://");
}

std::string Store::backend() const { return connection_->backend(); }

MigrationResult Store::migrate() {
  std::scoped_lock lock(mutex_);
  return persistence::migrate(*connection_);
}

}  // namespace tollgate::persistence
