#include "persistence/store_support.h"

#include <chrono>
#include <unordered_set>

#include "core/redaction.h"

namespace tollgate::persistence::detail {
namespace {

SqlValue json_or_null(const std::string& json) {
  if (json.empty()) return SqlValue(std::monostate{});
  static const core::Redactor redactor;  // shapes only, no registered secrets
  return SqlValue(redactor.redact(json));
}

}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

EntityTable entity_table(EntityKind kind) {
  switch (kind) {
    case EntityKind::key: return {"keys", "token_hash", ChangeKind::key};
    case EntityKind::team: return {"teams", "team_id", ChangeKind::team};
    case EntityKind::user: return {"users", "user_id", ChangeKind::user};
    case EntityKind::organization: return {"organizations", "organization_id", ChangeKind::organization};
    case EntityKind::end_user: return {"end_users", "user_id", ChangeKind::end_user};
  }
  return {"keys", "token_hash", ChangeKind::key};
}

PageWindow page_window(int page, int size) {
  const std::int64_t limit = size < 1 ? 1 : size;
  const std::int64_t index = page < 1 ? 0 : page - 1;
  return {limit, index * limit};
}

std::vector<std::string> unique_ids(const std::vector<std::string>& ids) {
  std::vector<std::string> result;
  std::unordered_set<std::string> seen;
  for (const auto& id : ids) {
    if (seen.insert(id).second) result.push_back(id);
  }
  return result;
}

void write_audit(SqlConnection& connection, const AuditEntry& entry, AuditFacts facts, bool caller_json_allowed) {
  const std::string& before = caller_json_allowed && !entry.before_json.empty() ? entry.before_json : facts.before_json;
  const std::string& after = caller_json_allowed && !entry.after_json.empty() ? entry.after_json : facts.after_json;
  connection.execute(
      "INSERT INTO audit_log (changed_by, action, table_name, object_id, before_value, "
      "updated_values, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {SqlValue(entry.changed_by), SqlValue(entry.action.empty() ? std::string(facts.default_action) : entry.action),
       SqlValue(std::string(facts.table_name)), SqlValue(std::string(facts.object_id)), json_or_null(before),
       json_or_null(after), SqlValue(now_ms())});
}

}  // namespace tollgate::persistence::detail
