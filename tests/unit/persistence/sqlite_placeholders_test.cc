#include <catch2/catch.hpp>

#include "persistence/sqlite_placeholders.h"

using tollgate::persistence::sqlite_numbered_placeholders;

TEST_CASE("sqlite placeholders: $N becomes ?N outside quotes, everything else is kept") {
  struct Row {
    const char* sql;
    const char* expected;
  };
  const Row rows[] = {
      {"SELECT 1", "SELECT 1"},
      {"SELECT * FROM keys WHERE token = $1", "SELECT * FROM keys WHERE token = ?1"},
      {"VALUES ($1, $2), ($3, $12)", "VALUES (?1, ?2), (?3, ?12)"},
      {"UPDATE t SET a = $2 WHERE id = $1", "UPDATE t SET a = ?2 WHERE id = ?1"},
      {"SELECT json_extract(m, '$.a') FROM t WHERE x = $1", "SELECT json_extract(m, '$.a') FROM t WHERE x = ?1"},
      {"SELECT 'it''s $1' || $1", "SELECT 'it''s $1' || ?1"},
      {"SELECT \"col$1\" FROM t WHERE a = $1", "SELECT \"col$1\" FROM t WHERE a = ?1"},
      {"SELECT $name, $", "SELECT $name, $"},
      {"SELECT '$1", "SELECT '$1"},
  };
  for (const auto& row : rows) {
    INFO(row.sql);
    CHECK(sqlite_numbered_placeholders(row.sql) == row.expected);
  }
}
