#pragma once
// Records as JSON objects, for the audit log's before/after values. Keys appear by hash and
// display name only: no record carries a cleartext key.
#include <string>

#include "core/json_out.h"
#include "persistence/records.h"

namespace tollgate::persistence {

// The limits' members, in one order, for every JSON view of a record (these audit rows and the
// management API's responses); budget_reset_at as `out` writes times.
void write_limit_fields(core::JsonOut& out, const BudgetLimits& limits);

std::string to_json(const KeyRecord& key);
std::string to_json(const TeamRecord& team);
std::string to_json(const UserRecord& user);
std::string to_json(const OrganizationRecord& organization);
std::string to_json(const BudgetRecord& budget);
std::string to_json(const OrgMember& member);
std::string to_json(const std::string& team_id, const TeamMember& member);

}  // namespace tollgate::persistence
