#pragma once
// Field-by-field comparison of store rows: the names of the fields that differ. A denied call
// must leave every field of its target as it was; a 200 update may change the requested
// field and the bookkeeping (updated_at, updated_by) and nothing else.
#include <set>
#include <string>
#include <vector>

#include "persistence/records.h"

namespace tollgate::authz {

using FieldSet = std::set<std::string>;

FieldSet diff(const persistence::KeyRecord& a, const persistence::KeyRecord& b);
FieldSet diff(const persistence::TeamRecord& a, const persistence::TeamRecord& b);  // members too
FieldSet diff(const persistence::UserRecord& a, const persistence::UserRecord& b);
FieldSet diff(const persistence::OrganizationRecord& a, const persistence::OrganizationRecord& b);
FieldSet diff(const persistence::BudgetRecord& a, const persistence::BudgetRecord& b);
FieldSet diff(const std::vector<persistence::OrgMember>& a, const std::vector<persistence::OrgMember>& b);

std::string to_string(const FieldSet& fields);

// The bookkeeping fields every successful write may touch.
inline const FieldSet kBookkeeping = {"updated_at", "updated_by"};

}  // namespace tollgate::authz
