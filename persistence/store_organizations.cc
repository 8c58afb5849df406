// Store: organizations and organization membership.
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

const std::set<std::string> kOrganizationUpdateExcluded = {"organization_id", "spend", "created_at", "created_by"};

constexpr const char* kUpsertMember =
    "INSERT INTO organization_members (organization_id, user_id, user_role, created_at) "
    "VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (organization_id, user_id) DO UPDATE SET user_role = excluded.user_role";

std::optional<OrganizationRecord> select_organization(SqlConnection& c, const std::string& id) {
  const auto rows =
      c.query("SELECT " + organization_columns() + " FROM organizations WHERE organization_id = $1", {SqlValue(id)});
  if (rows.empty()) return std::nullopt;
  return organization_from_row(rows.front());
}

std::optional<OrgMember> select_member(SqlConnection& c, const std::string& organization_id,
                                       const std::string& user_id) {
  const auto rows = c.query(
      "SELECT organization_id, user_id, user_role FROM organization_members "
      "WHERE organization_id = $1 AND user_id = $2",
      {SqlValue(organization_id), SqlValue(user_id)});
  if (rows.empty()) return std::nullopt;
  return OrgMember{rows.front().text(0), rows.front().text(1), rows.front().text(2)};
}

std::int64_t team_count(SqlConnection& c, const std::string& organization_id) {
  const auto rows = c.query("SELECT COUNT(*) FROM teams WHERE organization_id = $1", {SqlValue(organization_id)});
  return rows.empty() ? 0 : rows.front().int64(0);
}

}  // namespace

OrganizationRecord Store::insert_organization(const OrganizationRecord& organization, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  OrganizationRecord stored = organization;
  if (stored.created_at == 0) stored.created_at = now_ms();
  if (stored.updated_at == 0) stored.updated_at = stored.created_at;
  if (stored.metadata.empty()) stored.metadata = "{}";
  Transaction tx(*connection_, changes_);
  const auto insert = insert_statement("organizations", organization_values(stored));
  connection_->execute(insert.sql, insert.params);
  write_audit(*connection_, audit, AuditFacts{"organizations", stored.organization_id, "created", "", to_json(stored)});
  tx.changed(ChangeKind::organization, stored.organization_id);
  tx.commit();
  return stored;
}

std::optional<OrganizationRecord> Store::find_organization(const std::string& organization_id) {
  std::scoped_lock lock(mutex_);
  return select_organization(*connection_, organization_id);
}

std::vector<OrganizationRecord> Store::list_organizations(const std::optional<std::string>& member_user_id) {
  std::scoped_lock lock(mutex_);
  Conditions where;
  if (member_user_id) {
    where.add("organization_id IN (SELECT organization_id FROM organization_members WHERE user_id = " +
              where.param(SqlValue(*member_user_id)) + ")");
  }
  std::vector<OrganizationRecord> organizations;
  for (const auto& row : connection_->query("SELECT " + organization_columns() + " FROM organizations" + where.where() +
                                                " ORDER BY created_at DESC, organization_id",
                                            where.params())) {
    organizations.push_back(organization_from_row(row));
  }
  return organizations;
}

bool Store::update_organization(const OrganizationRecord& organization, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_organization(*connection_, organization.organization_id);
  if (!before) return false;
  OrganizationRecord after = organization;
  after.spend = before->spend;
  after.created_at = before->created_at;
  after.created_by = before->created_by;
  after.updated_at = now_ms();
  const auto update = update_statement("organizations", "organization_id", SqlValue(after.organization_id),
                                       organization_values(after), kOrganizationUpdateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit,
              AuditFacts{"organizations", after.organization_id, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::organization, after.organization_id);
  tx.commit();
  return true;
}

bool Store::delete_organizations(const std::vector<std::string>& organization_ids, const AuditEntry& audit_template) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  std::vector<OrganizationRecord> found;
  for (const auto& id : detail::unique_ids(organization_ids)) {
    auto organization = select_organization(*connection_, id);
    if (!organization) return false;
    // Refusing is safer than cascading: deleting an org must not silently delete teams
    // (and with them their keys).
    if (team_count(*connection_, id) > 0) {
      throw ConflictError("organization " + id + " still has teams; delete or move them first");
    }
    found.push_back(std::move(*organization));
  }
  for (const auto& organization : found) {
    // organization_members go with it (ON DELETE CASCADE): their users change too.
    for (const auto& row : connection_->query("SELECT user_id FROM organization_members WHERE organization_id = $1",
                                              {SqlValue(organization.organization_id)})) {
      tx.changed(ChangeKind::user, row.text(0));
    }
    connection_->execute("DELETE FROM organizations WHERE organization_id = $1",
                         {SqlValue(organization.organization_id)});
    write_audit(*connection_, audit_template,
                AuditFacts{"organizations", organization.organization_id, "deleted", to_json(organization), ""}, false);
    tx.changed(ChangeKind::organization, organization.organization_id);
  }
  tx.commit();
  return true;
}

bool Store::add_organization_member(const std::string& organization_id, const OrgMember& member,
                                    const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  if (!select_organization(*connection_, organization_id)) return false;
  OrgMember stored = member;
  stored.organization_id = organization_id;
  const auto before = select_member(*connection_, organization_id, member.user_id);
  connection_->execute(kUpsertMember, {SqlValue(organization_id), SqlValue(stored.user_id), SqlValue(stored.user_role),
                                       SqlValue(now_ms())});
  write_audit(*connection_, audit,
              AuditFacts{"organization_members", organization_id, before ? "member_updated" : "member_added",
                         before ? to_json(*before) : "", to_json(stored)});
  tx.changed(ChangeKind::user, stored.user_id);
  tx.commit();
  return true;
}

bool Store::remove_organization_member(const std::string& organization_id, const std::string& user_id,
                                       const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_member(*connection_, organization_id, user_id);
  if (!before) return false;
  connection_->execute("DELETE FROM organization_members WHERE organization_id = $1 AND user_id = $2",
                       {SqlValue(organization_id), SqlValue(user_id)});
  write_audit(*connection_, audit,
              AuditFacts{"organization_members", organization_id, "member_removed", to_json(*before), ""});
  tx.changed(ChangeKind::user, user_id);
  tx.commit();
  return true;
}

std::vector<OrgMember> Store::organization_members(const std::string& organization_id) {
  std::scoped_lock lock(mutex_);
  std::vector<OrgMember> members;
  for (const auto& row : connection_->query("SELECT organization_id, user_id, user_role FROM organization_members "
                                            "WHERE organization_id = $1 ORDER BY created_at, user_id",
                                            {SqlValue(organization_id)})) {
    members.push_back(OrgMember{row.text(0), row.text(1), row.text(2)});
  }
  return members;
}

}  // namespace tollgate::persistence
