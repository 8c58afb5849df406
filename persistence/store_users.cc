// Store: internal users.
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

const std::set<std::string> kUserUpdateExcluded = {"user_id", "spend", "created_at"};

std::optional<UserRecord> select_user_where(SqlConnection& c, const char* column, const std::string& value) {
  const auto rows = c.query("SELECT " + user_columns() + " FROM users WHERE " + column + " = $1", {SqlValue(value)});
  if (rows.empty()) return std::nullopt;
  return user_from_row(rows.front());
}

Conditions user_conditions(const UserFilter& filter) {
  Conditions where;
  if (filter.role) where.equals("user_role", SqlValue(*filter.role));
  if (filter.organization_id) {
    // The same placeholder twice: both backends bind it once.
    const std::string org = where.param(SqlValue(*filter.organization_id));
    where.add("(organization_id = " + org +
              " OR user_id IN (SELECT user_id FROM organization_members WHERE organization_id = " + org + "))");
  }
  if (filter.team_id) {
    where.add("user_id IN (SELECT user_id FROM team_members WHERE team_id = " + where.param(SqlValue(*filter.team_id)) +
              ")");
  }
  return where;
}

}  // namespace

UserRecord Store::insert_user(const UserRecord& user, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  UserRecord stored = user;
  if (stored.created_at == 0) stored.created_at = now_ms();
  if (stored.updated_at == 0) stored.updated_at = stored.created_at;
  if (stored.metadata.empty()) stored.metadata = "{}";
  Transaction tx(*connection_, changes_);
  const auto insert = insert_statement("users", user_values(stored));
  connection_->execute(insert.sql, insert.params);
  write_audit(*connection_, audit, AuditFacts{"users", stored.user_id, "created", "", to_json(stored)});
  tx.changed(ChangeKind::user, stored.user_id);  // keys made for this id before it existed
  tx.commit();
  return stored;
}

std::optional<UserRecord> Store::find_user(const std::string& user_id) {
  std::scoped_lock lock(mutex_);
  return select_user_where(*connection_, "user_id", user_id);
}

std::optional<UserRecord> Store::find_user_by_email(const std::string& email) {
  std::scoped_lock lock(mutex_);
  return select_user_where(*connection_, "user_email", email);
}

UserPage Store::list_users(const UserFilter& filter, int page, int size) {
  std::scoped_lock lock(mutex_);
  Conditions where = user_conditions(filter);
  const auto window = detail::page_window(page, size);
  UserPage result;
  const auto count = connection_->query("SELECT COUNT(*) FROM users" + where.where(), where.params());
  result.total_count = count.empty() ? 0 : count.front().int64(0);
  const std::string where_sql = where.where();
  const std::string limit = where.param(SqlValue(window.limit));
  const std::string offset = where.param(SqlValue(window.offset));
  for (const auto& row :
       connection_->query("SELECT " + user_columns() + " FROM users" + where_sql +
                              " ORDER BY created_at DESC, user_id LIMIT " + limit + " OFFSET " + offset,
                          where.params())) {
    result.users.push_back(user_from_row(row));
  }
  return result;
}

bool Store::update_user(const UserRecord& user, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_user_where(*connection_, "user_id", user.user_id);
  if (!before) return false;
  UserRecord after = user;
  after.spend = before->spend;
  after.created_at = before->created_at;
  after.updated_at = now_ms();
  const auto update =
      update_statement("users", "user_id", SqlValue(after.user_id), user_values(after), kUserUpdateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit, AuditFacts{"users", after.user_id, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::user, after.user_id);
  tx.commit();
  return true;
}

bool Store::delete_users(const std::vector<std::string>& user_ids, const AuditEntry& audit_template) {
  std::scoped_lock lock(mutex_);
  return delete_users_locked(user_ids, audit_template, false).has_value();
}

std::optional<std::vector<std::string>> Store::delete_users_and_keys(const std::vector<std::string>& user_ids,
                                                                     const AuditEntry& audit_template) {
  std::scoped_lock lock(mutex_);
  return delete_users_locked(user_ids, audit_template, true);
}

std::optional<std::vector<std::string>> Store::delete_users_locked(const std::vector<std::string>& user_ids,
                                                                   const AuditEntry& audit_template, bool with_keys) {
  Transaction tx(*connection_, changes_);
  std::vector<UserRecord> found;
  for (const auto& id : detail::unique_ids(user_ids)) {
    auto user = select_user_where(*connection_, "user_id", id);
    if (!user) return std::nullopt;
    found.push_back(std::move(*user));
  }
  std::vector<std::string> ids;
  for (const auto& user : found) ids.push_back(user.user_id);
  std::vector<std::string> hashes;
  if (with_keys) hashes = delete_keys_where("user_id", ids, audit_template);
  tx.changed(ChangeKind::key, hashes);
  for (const auto& user : found) {
    // The teams whose member lists lose the user.
    for (const auto& row :
         connection_->query("SELECT team_id FROM team_members WHERE user_id = $1", {SqlValue(user.user_id)})) {
      tx.changed(ChangeKind::team, row.text(0));
    }
    // Memberships are not tied to users by a foreign key (see the schema), so go explicitly.
    connection_->execute("DELETE FROM team_members WHERE user_id = $1", {SqlValue(user.user_id)});
    connection_->execute("DELETE FROM organization_members WHERE user_id = $1", {SqlValue(user.user_id)});
    connection_->execute("DELETE FROM users WHERE user_id = $1", {SqlValue(user.user_id)});
    write_audit(*connection_, audit_template, AuditFacts{"users", user.user_id, "deleted", to_json(user), ""}, false);
    tx.changed(ChangeKind::user, user.user_id);
  }
  tx.commit();
  return hashes;
}

std::vector<std::pair<std::string, std::string>> Store::teams_of_user(const std::string& user_id) {
  std::scoped_lock lock(mutex_);
  std::vector<std::pair<std::string, std::string>> teams;
  for (const auto& row : connection_->query(
           "SELECT team_id, role FROM team_members WHERE user_id = $1 ORDER BY team_id", {SqlValue(user_id)})) {
    teams.emplace_back(row.text(0), row.text(1));
  }
  return teams;
}

std::vector<OrgMember> Store::organizations_of_user(const std::string& user_id) {
  std::scoped_lock lock(mutex_);
  std::vector<OrgMember> memberships;
  for (const auto& row : connection_->query("SELECT organization_id, user_id, user_role FROM organization_members "
                                            "WHERE user_id = $1 ORDER BY organization_id",
                                            {SqlValue(user_id)})) {
    memberships.push_back(OrgMember{row.text(0), row.text(1), row.text(2)});
  }
  return memberships;
}

}  // namespace tollgate::persistence
