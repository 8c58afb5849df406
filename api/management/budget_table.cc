#include "api/management/budget_table.h"

#include "persistence/record_json.h"
#include "persistence/store.h"

namespace tollgate::api {

namespace {

using persistence::RecordView;

// True when the linked budget exists and was written.
bool write_linked_budget(core::JsonOut& o, persistence::Store& store, const std::optional<std::string>& budget_id) {
  if (!budget_id) return false;
  const auto budget = store.find_budget(*budget_id);
  if (!budget) return false;
  persistence::write_json(o, *budget, RecordView::api);
  return true;
}

void write_default_shape(core::JsonOut& o, const persistence::BudgetLimits& limits) {
  o.begin_object();
  o.key("budget_id").null();
  persistence::write_limit_fields(o, limits);
  o.key("soft_budget").null();
  o.key("model_max_budget").null();
  o.end_object();
}

}  // namespace

void write_key_budget_table(core::JsonOut& o, persistence::Store& store, const persistence::KeyRecord& key) {
  o.key("litellm_budget_table");
  if (!write_linked_budget(o, store, key.budget_id)) o.null();
}

void write_key_object(core::JsonOut& o, persistence::Store& store, const persistence::KeyRecord& key) {
  o.begin_object();
  persistence::write_fields(o, key, RecordView::api);
  write_key_budget_table(o, store, key);
  o.end_object();
}

void write_organization_object(core::JsonOut& o, persistence::Store& store,
                               const persistence::OrganizationRecord& organization) {
  o.begin_object();
  persistence::write_fields(o, organization, RecordView::api, store.organization_members(organization.organization_id));
  o.key("litellm_budget_table");
  if (!write_linked_budget(o, store, organization.budget_id)) write_default_shape(o, organization);
  o.end_object();
}

void write_end_user_object(core::JsonOut& o, persistence::Store& store, const persistence::EndUserRecord& end_user) {
  o.begin_object();
  persistence::write_fields(o, end_user, RecordView::api);
  o.key("litellm_budget_table");
  const persistence::BudgetLimits& own = end_user;
  const bool has_limits =
      own.max_budget || own.budget_duration || own.tpm_limit || own.rpm_limit || own.max_parallel_requests;
  if (!write_linked_budget(o, store, end_user.budget_id)) {
    if (has_limits) {
      write_default_shape(o, own);
    } else {
      o.null();
    }
  }
  o.end_object();
}

}  // namespace tollgate::api
