#pragma once
// The tiny driver abstraction under the Store: the Store's logic and SQL are written once and
// run on PostgreSQL and SQLite alike.
//
// SQL uses `$1, $2, …` placeholders (native on PostgreSQL, named parameters on SQLite).
// Conventions shared by both schemas: timestamps are BIGINT unix milliseconds, booleans are
// INTEGER 0/1, money is DOUBLE PRECISION, lists and JSON objects are TEXT holding JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tollgate::persistence {

using SqlValue = std::variant<std::monostate /* NULL */, std::int64_t, double, std::string>;

// One result row. Accessors convert between integer, real and text leniently (PostgreSQL
// sends SUM() of integers as numeric, SQLite may store 1.0 as 1) and throw StoreError on NULL
// or on a value that cannot be converted; the optional_* forms map NULL to nullopt.
struct SqlRow {
  std::vector<SqlValue> values;

  bool is_null(std::size_t i) const;
  std::string text(std::size_t i) const;
  std::int64_t int64(std::size_t i) const;
  double real(std::size_t i) const;
  bool boolean(std::size_t i) const { return int64(i) != 0; }

  std::optional<std::string> optional_text(std::size_t i) const;
  std::optional<std::int64_t> optional_int64(std::size_t i) const;
  std::optional<double> optional_real(std::size_t i) const;

 private:
  const SqlValue& at(std::size_t i) const;
};

// One database connection. Not thread-safe: one caller at a time (the Store serializes).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  virtual std::vector<SqlRow> query(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  // Returns the number of rows inserted, updated or deleted.
  virtual std::int64_t execute(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  // Several statements without parameters in one go (migrations, DDL). Not prepared.
  virtual void execute_script(std::string_view sql) = 0;

  // At most one transaction at a time; SQLite takes the write lock at begin (BEGIN IMMEDIATE)
  // so two writers never deadlock on a lock upgrade.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;  // never throws: it runs from destructors

  // "postgresql" or "sqlite".
  virtual std::string backend() const = 0;
};

// Parameter helpers: std::nullopt becomes NULL.
inline SqlValue sql_null() { return std::monostate{}; }
inline SqlValue sql_text(const std::optional<std::string>& v) { return v ? SqlValue(*v) : sql_null(); }
inline SqlValue sql_int(const std::optional<std::int64_t>& v) { return v ? SqlValue(*v) : sql_null(); }
inline SqlValue sql_real(const std::optional<double>& v) { return v ? SqlValue(*v) : sql_null(); }
inline SqlValue sql_bool(bool v) { return SqlValue(std::int64_t{v ? 1 : 0}); }

// Shortest text that reads back as exactly the same double (money must round-trip).
std::string real_to_text(double value);

}  // namespace tollgate::persistence
