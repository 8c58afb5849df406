#pragma once
// Store records as LiteLLM's management API shows them: the api view of the one JSON writer
// per record (persistence/record_json.h), which the audit log shares.
#include <vector>

#include "core/json_out.h"
#include "persistence/record_json.h"
#include "persistence/records.h"

namespace tollgate::api {

using core::JsonOut;  // the writer of every management response

inline void write_key(JsonOut& out, const persistence::KeyRecord& key) {
  persistence::write_json(out, key, persistence::RecordView::api);
}
inline void write_team(JsonOut& out, const persistence::TeamRecord& team) {
  persistence::write_json(out, team, persistence::RecordView::api);
}
// The team's fields without the enclosing braces, for responses that add their own.
inline void write_team_fields(JsonOut& out, const persistence::TeamRecord& team) {
  persistence::write_fields(out, team, persistence::RecordView::api);
}
inline void write_user(JsonOut& out, const persistence::UserRecord& user) {
  persistence::write_json(out, user, persistence::RecordView::api);
}
inline void write_user_fields(JsonOut& out, const persistence::UserRecord& user) {
  persistence::write_fields(out, user, persistence::RecordView::api);
}
inline void write_organization(JsonOut& out, const persistence::OrganizationRecord& org,
                               const std::vector<persistence::OrgMember>& members) {
  persistence::write_json(out, org, persistence::RecordView::api, members);
}
inline void write_budget(JsonOut& out, const persistence::BudgetRecord& budget) {
  persistence::write_json(out, budget, persistence::RecordView::api);
}

}  // namespace tollgate::api
