// Store: virtual keys.
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

// Columns an update never touches: spend moves only through the spend methods, so a
// read-modify-write of a key cannot undo concurrent spend.
// The token_hash itself changes only through regenerate_key.
const std::set<std::string> kKeyUpdateExcluded = {"token_hash", "spend", "created_at", "created_by"};
const std::set<std::string> kKeyRegenerateExcluded = {"spend", "created_at", "created_by"};

std::optional<KeyRecord> select_key(SqlConnection& c, const std::string& hash) {
  const auto rows = c.query("SELECT " + key_columns() + " FROM keys WHERE token_hash = $1", {SqlValue(hash)});
  if (rows.empty()) return std::nullopt;
  return key_from_row(rows.front());
}

std::vector<KeyRecord> select_keys_where(SqlConnection& c, const std::string& column, const std::string& value) {
  std::vector<KeyRecord> keys;
  for (const auto& row :
       c.query("SELECT " + key_columns() + " FROM keys WHERE " + column + " = $1 ORDER BY created_at DESC, token_hash",
               {SqlValue(value)})) {
    keys.push_back(key_from_row(row));
  }
  return keys;
}

Conditions key_conditions(const KeyFilter& filter) {
  Conditions where;
  if (filter.user_id) where.equals("user_id", SqlValue(*filter.user_id));
  if (filter.team_id) where.equals("team_id", SqlValue(*filter.team_id));
  if (filter.organization_id) where.equals("organization_id", SqlValue(*filter.organization_id));
  if (filter.key_alias) where.equals("key_alias", SqlValue(*filter.key_alias));
  if (!filter.user_ids_any.empty() || !filter.team_ids_any.empty()) {
    const std::string by_user = where.in_list("user_id", filter.user_ids_any);
    const std::string by_team = where.in_list("team_id", filter.team_ids_any);
    where.add("(" + by_user + " OR " + by_team + ")");
  }
  return where;
}

}  // namespace

KeyRecord Store::insert_key(const KeyRecord& key, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  KeyRecord stored = key;
  if (stored.created_at == 0) stored.created_at = now_ms();
  if (stored.updated_at == 0) stored.updated_at = stored.created_at;
  if (stored.metadata.empty()) stored.metadata = "{}";
  Transaction tx(*connection_, changes_);
  const auto insert = insert_statement("keys", key_values(stored));
  connection_->execute(insert.sql, insert.params);
  write_audit(*connection_, audit, AuditFacts{"keys", stored.token_hash, "created", "", to_json(stored)});
  tx.changed(ChangeKind::key, stored.token_hash);  // it may be cached as unknown
  tx.commit();
  return stored;
}

std::optional<KeyRecord> Store::find_key(const std::string& token_hash) {
  std::scoped_lock lock(mutex_);
  return select_key(*connection_, token_hash);
}

KeyPage Store::list_keys(const KeyFilter& filter, int page, int size) {
  std::scoped_lock lock(mutex_);
  Conditions where = key_conditions(filter);
  const auto window = detail::page_window(page, size);
  KeyPage result;
  const auto count = connection_->query("SELECT COUNT(*) FROM keys" + where.where(), where.params());
  result.total_count = count.empty() ? 0 : count.front().int64(0);
  const std::string where_sql = where.where();
  const std::string limit = where.param(SqlValue(window.limit));
  const std::string offset = where.param(SqlValue(window.offset));
  const auto rows = connection_->query("SELECT " + key_columns() + " FROM keys" + where_sql +
                                           " ORDER BY created_at DESC, token_hash LIMIT " + limit + " OFFSET " + offset,
                                       where.params());
  for (const auto& row : rows) result.keys.push_back(key_from_row(row));
  return result;
}

bool Store::update_key(const KeyRecord& updated, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_key(*connection_, updated.token_hash);
  if (!before) return false;
  KeyRecord after = updated;
  after.spend = before->spend;
  after.created_at = before->created_at;
  after.created_by = before->created_by;
  after.updated_at = now_ms();
  const auto update =
      update_statement("keys", "token_hash", SqlValue(after.token_hash), key_values(after), kKeyUpdateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit, AuditFacts{"keys", after.token_hash, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::key, after.token_hash);
  tx.commit();
  return true;
}

bool Store::regenerate_key(const std::string& old_hash, const KeyRecord& replacement, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_key(*connection_, old_hash);
  if (!before) return false;
  KeyRecord after = replacement;
  after.spend = before->spend;
  after.created_at = before->created_at;
  after.created_by = before->created_by;
  after.updated_at = now_ms();
  // The primary key itself moves; a hash that already exists fails with DuplicateError.
  const auto update =
      update_statement("keys", "token_hash", SqlValue(old_hash), key_values(after), kKeyRegenerateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit,
              AuditFacts{"keys", after.token_hash, "regenerated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::key, old_hash);
  tx.changed(ChangeKind::key, after.token_hash);
  tx.commit();
  return true;
}

bool Store::delete_keys(const std::vector<std::string>& hashes, const AuditEntry& audit_template) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  std::vector<KeyRecord> found;
  for (const auto& hash : detail::unique_ids(hashes)) {
    auto key = select_key(*connection_, hash);
    if (!key) return false;  // the guard rolls back: nothing was deleted yet anyway
    found.push_back(std::move(*key));
  }
  for (const auto& key : found) {
    connection_->execute("DELETE FROM keys WHERE token_hash = $1", {SqlValue(key.token_hash)});
    write_audit(*connection_, audit_template, AuditFacts{"keys", key.token_hash, "deleted", to_json(key), ""}, false);
    tx.changed(ChangeKind::key, key.token_hash);
  }
  tx.commit();
  return true;
}

bool Store::set_key_blocked(const std::string& token_hash, bool blocked, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_key(*connection_, token_hash);
  if (!before) return false;
  KeyRecord after = *before;
  after.blocked = blocked;
  after.updated_at = now_ms();
  connection_->execute("UPDATE keys SET blocked = $2, updated_at = $3 WHERE token_hash = $1",
                       {SqlValue(token_hash), sql_bool(blocked), SqlValue(after.updated_at)});
  write_audit(*connection_, audit,
              AuditFacts{"keys", token_hash, blocked ? "blocked" : "unblocked", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::key, token_hash);
  tx.commit();
  return true;
}

std::vector<KeyRecord> Store::keys_of_team(const std::string& team_id) {
  std::scoped_lock lock(mutex_);
  return select_keys_where(*connection_, "team_id", team_id);
}

std::vector<KeyRecord> Store::keys_of_user(const std::string& user_id) {
  std::scoped_lock lock(mutex_);
  return select_keys_where(*connection_, "user_id", user_id);
}

// Deletes every key whose `column` is one of `values` (inside the caller's transaction) and
// returns their hashes.
std::vector<std::string> Store::delete_keys_where(const std::string& column, const std::vector<std::string>& values,
                                                  const AuditEntry& audit_template) {
  std::vector<std::string> hashes;
  for (const auto& value : values) {
    for (const auto& key : select_keys_where(*connection_, column, value)) {
      connection_->execute("DELETE FROM keys WHERE token_hash = $1", {SqlValue(key.token_hash)});
      write_audit(*connection_, audit_template, AuditFacts{"keys", key.token_hash, "deleted", to_json(key), ""}, false);
      hashes.push_back(key.token_hash);
    }
  }
  return hashes;
}

}  // namespace tollgate::persistence
