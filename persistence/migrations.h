#pragma once
// Versioned schema migrations, run at start-up by every node.
//
// Each migration runs in one transaction together with its schema_migrations row, so a node
// never starts on a half-applied schema. On PostgreSQL the whole run holds a session advisory
// lock (kMigrationLockId): nodes starting together wait for each other and the first one
// migrates. On SQLite each migration takes the write lock (BEGIN IMMEDIATE). Both re-read the
// version inside the transaction, so a migration is applied exactly once.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/sql.h"

namespace tollgate::persistence {

// "Tollgate" in ASCII: fixed, so every node and version agrees on it.
inline constexpr std::int64_t kMigrationLockId = 0x546f6c6c67617465;

struct Migration {
  int version = 0;   // from the file name's numeric prefix: 001_initial.sql -> 1
  std::string name;  // "001_initial"
  std::string sql;   // may contain {{AUTO_ID}}, see sql_for_backend
};

struct MigrationResult {
  int from_version = 0;
  int to_version = 0;
  int applied = 0;  // migrations this call applied (0 when another node did them)
};

// The compiled-in migrations, ordered by version. Throws StoreError if two files share a
// version or a name has no numeric prefix (a build mistake, caught by the store tests).
const std::vector<Migration>& embedded_migrations();

// The migration text for one backend. The only per-backend piece is {{AUTO_ID}}: an
// auto-incrementing integer primary key (SQLite INTEGER PRIMARY KEY AUTOINCREMENT,
// PostgreSQL BIGSERIAL PRIMARY KEY).
std::string sql_for_backend(std::string_view sql, std::string_view backend);

// Throws SchemaTooNewError when the database is at a version newer than the last of
// `migrations` (written by a newer Tollgate: downgrades are refused before anything is written).
MigrationResult migrate(SqlConnection& connection);
MigrationResult migrate(SqlConnection& connection, const std::vector<Migration>& migrations);

// Highest applied version; 0 for an empty database.
int schema_version(SqlConnection& connection);

}  // namespace tollgate::persistence
