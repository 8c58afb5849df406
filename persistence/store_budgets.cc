// Store: reusable budgets (LiteLLM's BudgetTable).
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

const std::set<std::string> kBudgetUpdateExcluded = {"budget_id", "created_at", "created_by"};

std::optional<BudgetRecord> select_budget(SqlConnection& c, const std::string& id) {
  const auto rows = c.query("SELECT " + budget_columns() + " FROM budgets WHERE budget_id = $1", {SqlValue(id)});
  if (rows.empty()) return std::nullopt;
  return budget_from_row(rows.front());
}

std::int64_t budget_users(SqlConnection& c, const std::string& id) {
  const auto rows = c.query(
      "SELECT (SELECT COUNT(*) FROM keys WHERE budget_id = $1) + "
      "(SELECT COUNT(*) FROM organizations WHERE budget_id = $1) + "
      "(SELECT COUNT(*) FROM end_users WHERE budget_id = $1)",
      {SqlValue(id)});
  return rows.empty() ? 0 : rows.front().int64(0);
}

}  // namespace

BudgetRecord Store::insert_budget(const BudgetRecord& budget, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  BudgetRecord stored = budget;
  if (stored.created_at == 0) stored.created_at = now_ms();
  if (stored.updated_at == 0) stored.updated_at = stored.created_at;
  Transaction tx(*connection_, changes_);
  const auto insert = insert_statement("budgets", budget_values(stored));
  connection_->execute(insert.sql, insert.params);
  write_audit(*connection_, audit, AuditFacts{"budgets", stored.budget_id, "created", "", to_json(stored)});
  tx.changed(ChangeKind::budget, stored.budget_id);
  tx.commit();
  return stored;
}

std::optional<BudgetRecord> Store::find_budget(const std::string& budget_id) {
  std::scoped_lock lock(mutex_);
  return select_budget(*connection_, budget_id);
}

std::vector<BudgetRecord> Store::list_budgets() {
  std::scoped_lock lock(mutex_);
  std::vector<BudgetRecord> budgets;
  for (const auto& row :
       connection_->query("SELECT " + budget_columns() + " FROM budgets ORDER BY created_at DESC, budget_id", {})) {
    budgets.push_back(budget_from_row(row));
  }
  return budgets;
}

bool Store::update_budget(const BudgetRecord& budget, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_budget(*connection_, budget.budget_id);
  if (!before) return false;
  BudgetRecord after = budget;
  after.created_at = before->created_at;
  after.created_by = before->created_by;
  after.updated_at = now_ms();
  const auto update =
      update_statement("budgets", "budget_id", SqlValue(after.budget_id), budget_values(after), kBudgetUpdateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit, AuditFacts{"budgets", after.budget_id, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::budget, after.budget_id);
  tx.commit();
  return true;
}

bool Store::delete_budget(const std::string& budget_id, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_budget(*connection_, budget_id);
  if (!before) return false;
  // A key or organization pointing at a deleted budget would silently lose its limits.
  if (budget_users(*connection_, budget_id) > 0) {
    throw ConflictError("budget " + budget_id + " is still used by keys, organizations or end users");
  }
  connection_->execute("DELETE FROM budgets WHERE budget_id = $1", {SqlValue(budget_id)});
  write_audit(*connection_, audit, AuditFacts{"budgets", budget_id, "deleted", to_json(*before), ""});
  tx.changed(ChangeKind::budget, budget_id);
  tx.commit();
  return true;
}

}  // namespace tollgate::persistence
