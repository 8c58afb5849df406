#include "persistence/migrations.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "persistence/embedded_migrations.h"
#include "persistence/errors.h"
#include "persistence/transaction.h"

namespace tollgate::persistence {
namespace {

constexpr std::string_view kAutoId = "{{AUTO_ID}}";

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_postgres(const SqlConnection& connection) { return connection.backend() == "postgresql"; }

int version_from_name(const std::string& name) {
  std::size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits > 6 || digits >= name.size() || name[digits] != '_') {
    throw StoreError("migration file name must look like 001_name.sql: " + name);
  }
  const int version = std::stoi(name.substr(0, digits));
  if (version < 1) throw StoreError("migration versions start at 1: " + name);
  return version;
}

// Holds the PostgreSQL migration lock for the whole run. It is session-level, so it spans
// the per-migration transactions and is released by the server if the node dies.
class MigrationLock {
 public:
  explicit MigrationLock(SqlConnection& connection) : connection_(connection) {
    if (is_postgres(connection_)) {
      connection_.query("SELECT pg_advisory_lock($1)", {SqlValue(kMigrationLockId)});
      held_ = true;
    }
  }
  ~MigrationLock() {
    if (!held_) return;
    try {
      connection_.query("SELECT pg_advisory_unlock($1)", {SqlValue(kMigrationLockId)});
    } catch (const std::exception&) {
      // A lost session has released the lock already.
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  SqlConnection& connection_;
  bool held_ = false;
};

int applied_version(SqlConnection& connection) {
  const auto rows = connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
  return rows.empty() ? 0 : static_cast<int>(rows.front().int64(0));
}

bool version_table_exists(SqlConnection& connection) {
  const char* sql = is_postgres(connection)
                        ? "SELECT COUNT(*) FROM information_schema.tables "
                          "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
                        : "SELECT COUNT(*) FROM sqlite_master "
                          "WHERE type = 'table' AND name = 'schema_migrations'";
  const auto rows = connection.query(sql, {});
  return !rows.empty() && rows.front().int64(0) > 0;
}

std::vector<Migration> load_embedded() {
  std::vector<Migration> list;
  for (std::size_t i = 0; i < kEmbeddedMigrationFileCount; ++i) {
    const auto& file = kEmbeddedMigrationFiles[i];
    list.push_back(Migration{version_from_name(file.name), file.name, file.sql});
  }
  std::sort(list.begin(), list.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < list.size(); ++i) {
    if (list[i].version == list[i - 1].version) {
      throw StoreError("two migrations share version " + std::to_string(list[i].version));
    }
  }
  return list;
}

// A database a newer Tollgate migrated holds columns and rows this one does not know: writing
// to it could lose them, so it is not started on (no downgrades).
void refuse_newer_schema(int applied, const std::vector<Migration>& migrations) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (applied <= known) return;
  throw SchemaTooNewError("the database's schema is version " + std::to_string(applied) +
                          ", newer than this Tollgate knows (version " + std::to_string(known) +
                          "): a newer Tollgate migrated it and downgrades are not supported; run that version or "
                          "restore a backup taken before the upgrade");
}

}  // namespace

const std::vector<Migration>& embedded_migrations() {
  static const std::vector<Migration> list = load_embedded();
  return list;
}

std::string sql_for_backend(std::string_view sql, std::string_view backend) {
  const std::string_view auto_id =
      backend == "postgresql" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  std::string text(sql);
  for (auto pos = text.find(kAutoId); pos != std::string::npos; pos = text.find(kAutoId, pos)) {
    text.replace(pos, kAutoId.size(), auto_id);
  }
  return text;
}

MigrationResult migrate(SqlConnection& connection) { return migrate(connection, embedded_migrations()); }

MigrationResult migrate(SqlConnection& connection, const std::vector<Migration>& migrations) {
  MigrationLock lock(connection);
  connection.execute_script(kCreateVersionTable);
  MigrationResult result;
  result.from_version = applied_version(connection);
  refuse_newer_schema(result.from_version, migrations);
  for (const auto& migration : migrations) {
    if (migration.version <= result.from_version) continue;
    Transaction tx(connection);
    // Re-read under the write lock: another SQLite process may have applied it meanwhile.
    if (applied_version(connection) >= migration.version) {
      tx.rollback();
      continue;
    }
    connection.execute_script(sql_for_backend(migration.sql, connection.backend()));
    connection.execute("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                       {SqlValue(std::int64_t{migration.version}), SqlValue(now_ms())});
    tx.commit();
    ++result.applied;
  }
  result.to_version = applied_version(connection);
  return result;
}

int schema_version(SqlConnection& connection) {
  return version_table_exists(connection) ? applied_version(connection) : 0;
}

}  // namespace tollgate::persistence
