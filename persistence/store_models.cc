// Store: models managed at run time (/model/new, /model/update, /model/delete).
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

const std::set<std::string> kModelUpdateExcluded = {"model_id", "created_at", "created_by"};

std::optional<ModelRecord> select_model(SqlConnection& c, const std::string& model_id) {
  const auto rows = c.query("SELECT " + model_columns() + " FROM models WHERE model_id = $1", {SqlValue(model_id)});
  if (rows.empty()) return std::nullopt;
  return model_from_row(rows.front());
}

}  // namespace

ModelRecord Store::insert_model(const ModelRecord& model, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  ModelRecord stored = model;
  if (stored.created_at == 0) stored.created_at = now_ms();
  if (stored.updated_at == 0) stored.updated_at = stored.created_at;
  Transaction tx(*connection_, changes_);
  const auto insert = insert_statement("models", model_values(stored));
  connection_->execute(insert.sql, insert.params);
  write_audit(*connection_, audit, AuditFacts{"models", stored.model_id, "created", "", to_json(stored)});
  tx.changed(ChangeKind::model, stored.model_id);
  tx.commit();
  return stored;
}

std::optional<ModelRecord> Store::find_model(const std::string& model_id) {
  std::scoped_lock lock(mutex_);
  return select_model(*connection_, model_id);
}

std::vector<ModelRecord> Store::list_models() {
  std::scoped_lock lock(mutex_);
  std::vector<ModelRecord> models;
  for (const auto& row :
       connection_->query("SELECT " + model_columns() + " FROM models ORDER BY model_name, model_id", {})) {
    models.push_back(model_from_row(row));
  }
  return models;
}

bool Store::update_model(const ModelRecord& model, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_model(*connection_, model.model_id);
  if (!before) return false;
  ModelRecord after = model;
  after.created_at = before->created_at;
  after.created_by = before->created_by;
  after.updated_at = now_ms();
  const auto update =
      update_statement("models", "model_id", SqlValue(after.model_id), model_values(after), kModelUpdateExcluded);
  connection_->execute(update.sql, update.params);
  write_audit(*connection_, audit, AuditFacts{"models", after.model_id, "updated", to_json(*before), to_json(after)});
  tx.changed(ChangeKind::model, after.model_id);
  tx.commit();
  return true;
}

bool Store::delete_model(const std::string& model_id, const AuditEntry& audit) {
  std::scoped_lock lock(mutex_);
  Transaction tx(*connection_, changes_);
  const auto before = select_model(*connection_, model_id);
  if (!before) return false;
  connection_->execute("DELETE FROM models WHERE model_id = $1", {SqlValue(model_id)});
  write_audit(*connection_, audit, AuditFacts{"models", model_id, "deleted", to_json(*before), ""});
  tx.changed(ChangeKind::model, model_id);
  tx.commit();
  return true;
}

}  // namespace tollgate::persistence
