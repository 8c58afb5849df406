// Store: the audit log. Each mutating method writes its own row in its transaction;
// record_audit() is for changes the store does not make itself.
#include "persistence/sql_builder.h"
#include "persistence/store.h"
#include "persistence/store_support.h"

namespace tollgate::persistence {

void Store::record_audit(const AuditEntry& entry) {
  std::scoped_lock lock(mutex_);
  detail::write_audit(*connection_, entry, detail::AuditFacts{entry.table_name, entry.object_id, "changed", {}, {}});
}

std::vector<AuditRecord> Store::audit_log(const std::optional<std::string>& object_id, int limit) {
  std::scoped_lock lock(mutex_);
  Conditions where;
  if (object_id) where.equals("object_id", SqlValue(*object_id));
  const std::string where_sql = where.where();
  const std::string limit_param = where.param(SqlValue(std::int64_t{limit < 1 ? 1 : limit}));
  std::vector<AuditRecord> entries;
  for (const auto& row :
       connection_->query("SELECT id, changed_by, action, table_name, object_id, before_value, updated_values, "
                          "created_at FROM audit_log" +
                              where_sql + " ORDER BY id DESC LIMIT " + limit_param,
                          where.params())) {
    AuditRecord entry;
    entry.id = row.int64(0);
    entry.changed_by = row.text(1);
    entry.action = row.text(2);
    entry.table_name = row.text(3);
    entry.object_id = row.text(4);
    entry.before_json = row.optional_text(5).value_or("");
    entry.after_json = row.optional_text(6).value_or("");
    entry.created_at = row.int64(7);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace tollgate::persistence
