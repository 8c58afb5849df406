#pragma once
// LiteLLM's key and organization objects carry the budget row they draw on as
// `litellm_budget_table`: the linked budget (budget_id) as /budget/info shows it; for an
// organization without one, LiteLLM's default shape filled from the organization's own limits
// (Tollgate keeps those on the organization, LiteLLM in a budget row); for a key without one,
// null.
#include "core/json_out.h"
#include "persistence/records.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::api {

void write_key_object(core::JsonOut& out, persistence::Store& store, const persistence::KeyRecord& key);
void write_organization_object(core::JsonOut& out, persistence::Store& store,
                               const persistence::OrganizationRecord& organization);
// LiteLLM_EndUserTable's shape: the linked budget, else the default shape filled from the end
// user's own limits, else (no limits at all) null.
void write_end_user_object(core::JsonOut& out, persistence::Store& store, const persistence::EndUserRecord& end_user);
// The `litellm_budget_table` member of a key response that writes its own fields.
void write_key_budget_table(core::JsonOut& out, persistence::Store& store, const persistence::KeyRecord& key);

}  // namespace tollgate::api
