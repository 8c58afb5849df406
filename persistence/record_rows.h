#pragma once
// Records <-> table rows. Each `*_values` function lists a table's columns in one order and
// the matching `*_from_row` reads them back in the same order from `SELECT <*_columns()>`.
#include <string>

#include "persistence/records.h"
#include "persistence/sql.h"
#include "persistence/sql_builder.h"

namespace tollgate::persistence {

NamedValues key_values(const KeyRecord& key);
KeyRecord key_from_row(const SqlRow& row);
const std::string& key_columns();

NamedValues team_values(const TeamRecord& team);  // members live in team_members
TeamRecord team_from_row(const SqlRow& row);
const std::string& team_columns();

NamedValues user_values(const UserRecord& user);
UserRecord user_from_row(const SqlRow& row);
const std::string& user_columns();

NamedValues organization_values(const OrganizationRecord& organization);
OrganizationRecord organization_from_row(const SqlRow& row);
const std::string& organization_columns();

NamedValues budget_values(const BudgetRecord& budget);
BudgetRecord budget_from_row(const SqlRow& row);
const std::string& budget_columns();

NamedValues end_user_values(const EndUserRecord& end_user);
EndUserRecord end_user_from_row(const SqlRow& row);
const std::string& end_user_columns();

NamedValues mcp_server_values(const McpServerRecord& server);
McpServerRecord mcp_server_from_row(const SqlRow& row);
const std::string& mcp_server_columns();
NamedValues model_values(const ModelRecord& model);
ModelRecord model_from_row(const SqlRow& row);
const std::string& model_columns();

NamedValues spend_log_values(const SpendLogRow& log);
// The values alone, in spend_log_columns() order: the spend writer's multi-row inserts append
// thousands of rows a second and need no column names.
void append_spend_log_params(const SpendLogRow& log, std::vector<SqlValue>& params);
std::size_t spend_log_column_count();
SpendLogRow spend_log_from_row(const SqlRow& row);
const std::string& spend_log_columns();

}  // namespace tollgate::persistence
