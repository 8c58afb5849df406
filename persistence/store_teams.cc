// Store: teams and team membership.
#include <map>
#include <set>

#include "persistence/errors.h"
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

const std::set<std::string> kTeamUpdateExcluded = {"team_id", "spend", "created_at", "created_by"};

constexpr const char* kUpsertMember =
    "INSERT INTO team_members (team_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role";

void check_role(const TeamMember& member) {
  if (member.role != "admin" && member.role != "user") {
    throw StoreError("team member role must be \"admin\" or \"user\"");
  }
}

std::optional<TeamRecord> select_team(SqlConnection& c, const std::string& team_id) {
  const auto rows = c.query("SELECT " + team_columns() + " FROM teams WHERE team_id = $1", {SqlValue(team_id)});
  if (rows.empty()) return std::nullopt;
  return team_from_row(rows.front());
}

std::vector<TeamMember> select_members(SqlConnection& c, const std::string& team_id) {
  std::vector<TeamMember> members;
  for (const auto& row : c.query("SELECT m.user_id, m.role, u.user_email FROM team_members m "
                                 "LEFT JOIN users u ON u.user_id = m.user_id WHERE m.team_id = $1 "
                                 "ORDER BY m.created_at, m.user_id",
                                 {SqlValue(team_id)})) {
    members.push_back(TeamMember{row.text(0), row.text(1), row.optional_text(2)});
  }
  return members;
}

std::optional<TeamRecord> select_team_with_members(SqlConnection& c, const std::string& team_id) {
  auto team = select_team(c, team_id);
  if (team) team->members = select_members(c, team_id);
  return team;
}

std::optional<TeamMember> select_member(SqlConnection& c, const std::string& team_id, const std::string& user_id) {
  const auto rows = c.query("SELECT user_id, role FROM team_members WHERE team_id = $1 AND user_id = $2",
                            {SqlValue(team_id), SqlValue(user_id)});
  if (rows.empty()) return std::nullopt;
  return TeamMember{rows.front().text(0), rows.front().text(1)};
}

}  // namespace

TeamRecord Store::insert_team(const TeamRecord& team, const AuditEntry& audit) {
  for (const auto& member : team.members) check_role(member);
  std::scoped_lock lock(mutex_);
  TeamRecord stored = team;
  if (stored.created_at == 0) stored.created_at = now_ms();
  if (stored.updated_at == 0) stored.updated_at = stored.created_at;
  if (stored.metadata.empty()) stored.metadata = "{}";
  Transaction tx(*connection_, changes_);
  const auto insert = insert_statement("teams", team_values(stored));
  connection_->execute(insert.sql, insert.params);
  for (const auto& member : stored.members) {
    connection_->execute(kUpsertMember, {SqlValue(stored.team_id), SqlValue(member.user_id), SqlValue(member.role),
                                         SqlValue(stored.created_at)});
  }
  stored.members = select_members(*connection_, stored.team_id);  // duplicates collapsed
  write_audit(*connection_, audit, AuditFacts{"teams", stored.team_id, "created", "", to_json(stored)});
  tx.changed(ChangeKind::team, stored.team_id);
  for (const auto& member : stored.members) tx.changed(ChangeKind::user, member.user_id);
  tx.commit();
  return stored;
}

std::optional<TeamRecord> Store::find_team(const std::string& team_id) {
  std::scoped_lock lock(mutex_);
  return select_team_with_members(*connection_, team_id);
}

std::vector<TeamRecord> Store::list_teams(const std::optional<std::string>& organization_id,
                                          const std::optional<std::string>& member_user_id) {
  std::scoped_lock lock(mutex_);
  Conditions where;
  if (organization_id) where.equals("organization_id", SqlValue(*organization_id));
  if (member_user_id) {
    where.add("team_id IN (SELECT team_id FROM team_members WHERE user_id = " + where.param(SqlValue(*member_user_id)) +
              ")");
  }
  const std::string where_sql = where.where();
  std::vector<TeamRecord> teams;
  std::map<std::string, std::size_t> index;
  for (const auto& row :
       connection_->query("SELECT " + team_columns() + " FROM teams" + where_sql + " ORDER BY created_at DESC, team_id",
                          where.params())) {
    teams.push_back(team_from_row(row));
    index[teams.back().team_id] = teams.size() - 1;
  }
  // All members in one query rather than one per team.
  for (const auto& row :
       connection_->query("SELECT m.team_id, m.user_id, m.role, u.user_email FROM team_members m "
                          "LEFT JOIN users u ON u.user_id = m.user_id WHERE m.team_id IN (SELECT team_id FROM "
                          "teams" +
                              where_sql + ") ORDER BY m.created_at, m.user_id",
                          where.params())) {
    if (const auto it = index.find(row.text(0)); it != index.end()) {
      teams[it->second].members.push_back(TeamMember{row.text(1), row.text(2), row.optional_text(3)});
    }
  }
  return teams;
}

bool Store::update_team(const TeamRecord& team, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_team_with_members(*connection_, team.team_id);
  if (!before) return false;
  TeamRecord after = team;
  after.spend = before->spend;
  after.created_at = before->created_at;
  after.created_by = before->created_by;
  after.updated_at = now_ms();
  after.members = before->members;
  const auto update =
      update_statement("teams", "team_id", SqlValue(after.team_id), team_values(after), kTeamUpdateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit, AuditFacts{"teams", after.team_id, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::team, after.team_id);
  tx.commit();
  return true;
}

std::optional<std::vector<std::string>> Store::delete_teams(const std::vector<std::string>& team_ids,
                                                            const AuditEntry& audit_template) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  std::vector<TeamRecord> found;
  for (const auto& id : detail::unique_ids(team_ids)) {
    auto team = select_team_with_members(*connection_, id);
    if (!team) return std::nullopt;
    found.push_back(std::move(*team));
  }
  std::vector<std::string> ids;
  for (const auto& team : found) ids.push_back(team.team_id);
  auto hashes = delete_keys_where("team_id", ids, audit_template);
  tx.changed(ChangeKind::key, hashes);
  for (const auto& team : found) {
    // team_members go with the team (ON DELETE CASCADE).
    connection_->execute("DELETE FROM teams WHERE team_id = $1", {SqlValue(team.team_id)});
    write_audit(*connection_, audit_template, AuditFacts{"teams", team.team_id, "deleted", to_json(team), ""}, false);
    tx.changed(ChangeKind::team, team.team_id);
    for (const auto& member : team.members) tx.changed(ChangeKind::user, member.user_id);
  }
  tx.commit();
  return hashes;
}

bool Store::add_team_member(const std::string& team_id, const TeamMember& member, const AuditEntry& audit) {
  check_role(member);
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  if (!select_team(*connection_, team_id)) return false;
  const auto before = select_member(*connection_, team_id, member.user_id);
  connection_->execute(kUpsertMember,
                       {SqlValue(team_id), SqlValue(member.user_id), SqlValue(member.role), SqlValue(now_ms())});
  write_audit(*connection_, audit,
              AuditFacts{"team_members", team_id, before ? "member_updated" : "member_added",
                         before ? to_json(team_id, *before) : "", to_json(team_id, member)});
  tx.changed(ChangeKind::team, team_id);
  tx.changed(ChangeKind::user, member.user_id);
  tx.commit();
  return true;
}

bool Store::remove_team_member(const std::string& team_id, const std::string& user_id, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_member(*connection_, team_id, user_id);
  if (!before) return false;
  connection_->execute("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2",
                       {SqlValue(team_id), SqlValue(user_id)});
  write_audit(*connection_, audit,
              AuditFacts{"team_members", team_id, "member_removed", to_json(team_id, *before), ""});
  tx.changed(ChangeKind::team, team_id);
  tx.changed(ChangeKind::user, user_id);
  tx.commit();
  return true;
}

}  // namespace tollgate::persistence
