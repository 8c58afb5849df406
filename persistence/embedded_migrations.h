#pragma once
// The migration files, compiled into the binary (generated from persistence/migrations/*.sql
// by persistence/CMakeLists.txt) so a node never depends on files next to it at run time.
#include <cstddef>

namespace tollgate::persistence {

struct EmbeddedMigrationFile {
  const char* name;  // file name without ".sql", e.g. "001_initial"
  const char* sql;
};

extern const EmbeddedMigrationFile kEmbeddedMigrationFiles[];
extern const std::size_t kEmbeddedMigrationFileCount;

}  // namespace tollgate::persistence
