// Store: end users (LiteLLM's customers, LiteLLM_EndUserTable).
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

const std::set<std::string> kEndUserUpdateExcluded = {"user_id", "spend", "created_at"};

std::optional<EndUserRecord> select_end_user(SqlConnection& c, const std::string& id) {
  const auto rows = c.query("SELECT " + end_user_columns() + " FROM end_users WHERE user_id = $1", {SqlValue(id)});
  if (rows.empty()) return std::nullopt;
  return end_user_from_row(rows.front());
}

EndUserRecord with_times(EndUserRecord e) {
  if (e.created_at == 0) e.created_at = now_ms();
  if (e.updated_at == 0) e.updated_at = e.created_at;
  if (e.metadata.empty()) e.metadata = "{}";
  return e;
}

void insert_row(SqlConnection& c, const EndUserRecord& e) {
  const auto insert = insert_statement("end_users", end_user_values(e));
  c.execute(insert.sql, insert.params);
}

void update_row(SqlConnection& c, const EndUserRecord& e) {
  const auto update =
      update_statement("end_users", "user_id", SqlValue(e.user_id), end_user_values(e), kEndUserUpdateExcluded);
  c.execute(update.sql, update.params);
}

}  // namespace

EndUserRecord Store::insert_end_user(const EndUserRecord& end_user, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  const EndUserRecord stored = with_times(end_user);
  Transaction tx(*connection_, changes_);
  insert_row(*connection_, stored);
  write_audit(*connection_, audit, AuditFacts{"end_users", stored.user_id, "created", "", to_json(stored)});
  tx.changed(ChangeKind::end_user, stored.user_id);  // a node may have cached it as unknown
  tx.commit();
  return stored;
}

std::optional<EndUserRecord> Store::find_end_user(const std::string& user_id) {
  std::scoped_lock lock(mutex_);
  return select_end_user(*connection_, user_id);
}

std::vector<EndUserRecord> Store::list_end_users() {
  std::scoped_lock lock(mutex_);
  std::vector<EndUserRecord> result;
  for (const auto& row : connection_->query("SELECT " + end_user_columns() + " FROM end_users ORDER BY user_id", {})) {
    result.push_back(end_user_from_row(row));
  }
  return result;
}

bool Store::update_end_user(const EndUserRecord& end_user, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_end_user(*connection_, end_user.user_id);
  if (!before) return false;
  EndUserRecord after = end_user;
  after.spend = before->spend;
  after.created_at = before->created_at;
  after.updated_at = now_ms();
  if (after.metadata.empty()) after.metadata = "{}";
  update_row(*connection_, after);
  write_audit(*connection_, audit, AuditFacts{"end_users", after.user_id, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::end_user, after.user_id);
  tx.commit();
  return true;
}

bool Store::delete_end_users(const std::vector<std::string>& user_ids, const AuditEntry& audit_template) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  std::vector<EndUserRecord> found;
  for (const auto& id : detail::unique_ids(user_ids)) {
    auto end_user = select_end_user(*connection_, id);
    if (!end_user) return false;
    found.push_back(std::move(*end_user));
  }
  for (const auto& e : found) {
    connection_->execute("DELETE FROM end_users WHERE user_id = $1", {SqlValue(e.user_id)});
    write_audit(*connection_, audit_template, AuditFacts{"end_users", e.user_id, "deleted", to_json(e), ""}, false);
    tx.changed(ChangeKind::end_user, e.user_id);
  }
  tx.commit();
  return true;
}

std::vector<EndUserRecord> Store::set_end_users_blocked(const std::vector<std::string>& user_ids, bool blocked,
                                                        const AuditEntry& audit_template) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  std::vector<EndUserRecord> result;
  const char* action = blocked ? "blocked" : "unblocked";
  for (const auto& id : detail::unique_ids(user_ids)) {
    const auto before = select_end_user(*connection_, id);
    EndUserRecord after = before ? *before : with_times(EndUserRecord{});
    after.user_id = id;
    after.blocked = blocked;
    if (before) {
      after.updated_at = now_ms();
      update_row(*connection_, after);
    } else {
      insert_row(*connection_, after);
    }
    write_audit(*connection_, audit_template,
                AuditFacts{"end_users", id, action, before ? to_json(*before) : "", to_json(after)}, false);
    tx.changed(ChangeKind::end_user, id);
    result.push_back(std::move(after));
  }
  tx.commit();
  return result;
}

}  // namespace tollgate::persistence
