#pragma once
// Builds the Store's statements from (column, value) lists so that INSERT and UPDATE of a
// record cannot disagree about column order, and WHERE clauses number their own `$N`.
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "persistence/sql.h"

namespace tollgate::persistence {

using NamedValues = std::vector<std::pair<std::string, SqlValue>>;

struct Statement {
  std::string sql;
  std::vector<SqlValue> params;
};

// "a, b, c"
std::string column_list(const NamedValues& values);

// INSERT INTO table (a, b) VALUES ($1, $2)
Statement insert_statement(std::string_view table, const NamedValues& values);

// UPDATE table SET b = $2, c = $3 WHERE key = $1 (old value), setting every column that is
// not in `excluded` (exclude the key column unless the row's key itself is meant to change).
Statement update_statement(std::string_view table, std::string_view key_column, const SqlValue& key_value,
                           const NamedValues& values, const std::set<std::string>& excluded);

// Accumulates AND-ed conditions with their parameters, numbering placeholders in order.
class Conditions {
 public:
  // Adds a parameter and returns its placeholder ("$3").
  std::string param(SqlValue value);
  void add(std::string condition) { conditions_.push_back(std::move(condition)); }
  // column = $n
  void equals(std::string_view column, SqlValue value);
  // column IN ($n, $m, …); an empty list matches nothing.
  std::string in_list(std::string_view column, const std::vector<std::string>& values);

  // " WHERE a AND b", or "" when there is no condition.
  std::string where() const;
  const std::vector<SqlValue>& params() const { return params_; }
  std::vector<SqlValue> take_params() { return std::move(params_); }

 private:
  std::vector<std::string> conditions_;
  std::vector<SqlValue> params_;
};

}  // namespace tollgate::persistence
