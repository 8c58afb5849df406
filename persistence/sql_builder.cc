#include "persistence/sql_builder.h"

namespace tollgate::persistence {
namespace {

std::string placeholder(std::size_t n) { return "$" + std::to_string(n); }

}  // namespace

std::string column_list(const NamedValues& values) {
  std::string text;
  for (const auto& [column, value] : values) {
    if (!text.empty()) text += ", ";
    text += column;
  }
  return text;
}

Statement insert_statement(std::string_view table, const NamedValues& values) {
  Statement statement;
  std::string placeholders;
  for (const auto& [column, value] : values) {
    statement.params.push_back(value);
    if (!placeholders.empty()) placeholders += ", ";
    placeholders += placeholder(statement.params.size());
  }
  statement.sql = "INSERT INTO " + std::string(table) + " (" + column_list(values) + ") VALUES (" + placeholders + ")";
  return statement;
}

Statement update_statement(std::string_view table, std::string_view key_column, const SqlValue& key_value,
                           const NamedValues& values, const std::set<std::string>& excluded) {
  Statement statement;
  statement.params.push_back(key_value);
  std::string assignments;
  for (const auto& [column, value] : values) {
    if (excluded.count(column) > 0) continue;
    statement.params.push_back(value);
    if (!assignments.empty()) assignments += ", ";
    assignments += column + " = " + placeholder(statement.params.size());
  }
  statement.sql =
      "UPDATE " + std::string(table) + " SET " + assignments + " WHERE " + std::string(key_column) + " = $1";
  return statement;
}

std::string Conditions::param(SqlValue value) {
  params_.push_back(std::move(value));
  return placeholder(params_.size());
}

void Conditions::equals(std::string_view column, SqlValue value) {
  add(std::string(column) + " = " + param(std::move(value)));
}

std::string Conditions::in_list(std::string_view column, const std::vector<std::string>& values) {
  if (values.empty()) return "1 = 0";
  std::string text = std::string(column) + " IN (";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    text += param(SqlValue(values[i]));
  }
  return text + ")";
}

std::string Conditions::where() const {
  std::string text;
  for (const auto& condition : conditions_) {
    text += text.empty() ? " WHERE " : " AND ";
    text += condition;
  }
  return text;
}

}  // namespace tollgate::persistence
