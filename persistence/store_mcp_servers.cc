// Store: MCP servers registered through the admin API.
#include <set>

#include "persistence/record_json.h"
#include "persistence/record_rows.h"
#include "persistence/sql_builder.h"
#include "persistence/store.h"
#include "persistence/store_support.h"
#include "persistence/transaction.h"

namespace tollgate::persistence {
namespace {

using detail::AuditFacts;
using detail::now_ms;
using detail::write_audit;

const std::set<std::string> kMcpServerUpdateExcluded = {"server_id", "created_at", "created_by"};

std::optional<McpServerRecord> select_mcp_server(SqlConnection& c, const char* column, const std::string& value) {
  const auto rows =
      c.query("SELECT " + mcp_server_columns() + " FROM mcp_servers WHERE " + column + " = $1", {SqlValue(value)});
  if (rows.empty()) return std::nullopt;
  return mcp_server_from_row(rows.front());
}

}  // namespace

McpServerRecord Store::insert_mcp_server(const McpServerRecord& server, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  McpServerRecord stored = server;
  if (stored.created_at == 0) stored.created_at = now_ms();
  if (stored.updated_at == 0) stored.updated_at = stored.created_at;
  Transaction tx(*connection_, changes_);
  const auto insert = insert_statement("mcp_servers", mcp_server_values(stored));
  connection_->execute(insert.sql, insert.params);
  write_audit(*connection_, audit, AuditFacts{"mcp_servers", stored.server_id, "created", "", to_json(stored)});
  tx.changed(ChangeKind::mcp_server, stored.server_id);
  tx.commit();
  return stored;
}

std::optional<McpServerRecord> Store::find_mcp_server(const std::string& server_id) {
  std::scoped_lock lock(mutex_);
  return select_mcp_server(*connection_, "server_id", server_id);
}

std::optional<McpServerRecord> Store::find_mcp_server_by_name(const std::string& server_name) {
  std::scoped_lock lock(mutex_);
  return select_mcp_server(*connection_, "server_name", server_name);
}

std::vector<McpServerRecord> Store::list_mcp_servers() {
  std::scoped_lock lock(mutex_);
  std::vector<McpServerRecord> servers;
  for (const auto& row :
       connection_->query("SELECT " + mcp_server_columns() + " FROM mcp_servers ORDER BY server_name", {})) {
    servers.push_back(mcp_server_from_row(row));
  }
  return servers;
}

bool Store::update_mcp_server(const McpServerRecord& server, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_mcp_server(*connection_, "server_id", server.server_id);
  if (!before) return false;
  McpServerRecord after = server;
  after.created_at = before->created_at;
  after.created_by = before->created_by;
  after.updated_at = now_ms();
  const auto update = update_statement("mcp_servers", "server_id", SqlValue(after.server_id), mcp_server_values(after),
                                       kMcpServerUpdateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit,
              AuditFacts{"mcp_servers", after.server_id, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::mcp_server, after.server_id);
  tx.commit();
  return true;
}

bool Store::delete_mcp_server(const std::string& server_id, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_mcp_server(*connection_, "server_id", server_id);
  if (!before) return false;
  connection_->execute("DELETE FROM mcp_servers WHERE server_id = $1", {SqlValue(server_id)});
  write_audit(*connection_, audit, AuditFacts{"mcp_servers", server_id, "deleted", to_json(*before), ""});
  tx.changed(ChangeKind::mcp_server, server_id);
  tx.commit();
  return true;
}

}  // namespace tollgate::persistence
