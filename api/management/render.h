#pragma once
// Store records as LiteLLM's management API shows them.
#include "core/json_out.h"
#include "persistence/records.h"

namespace tollgate::api {

using core::JsonOut;  // the writer of every management response


void write_key(JsonOut& out, const persistence::KeyRecord& key);
void write_team(JsonOut& out, const persistence::TeamRecord& team);
// The team's fields without the enclosing braces, for responses that add their own.
void write_team_fields(JsonOut& out, const persistence::TeamRecord& team);
void write_user(JsonOut& out, const persistence::UserRecord& user);
void write_user_fields(JsonOut& out, const persistence::UserRecord& user);
void write_organization(JsonOut& out, const persistence::OrganizationRecord& org,
                        const std::vector<persistence::OrgMember>& members);
void write_budget(JsonOut& out, const persistence::BudgetRecord& budget);

}  // namespace tollgate::api
