#pragma once
// Loading the target of a management call. A target the caller may not see answers exactly
// like a missing one (404, same message), so ids cannot be probed across teams or orgs.
#include <optional>
#include <string>

#include "core/authz.h"
#include "persistence/records.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::api {

persistence::TeamRecord load_visible_team(persistence::Store& store, const core::Actor& actor,
                                          const std::string& team_id);
persistence::UserRecord load_visible_user(persistence::Store& store, const core::Actor& actor,
                                          const std::string& user_id);
persistence::UserRecord load_visible_user_by_email(persistence::Store& store, const core::Actor& actor,
                                                   const std::string& email);
persistence::OrganizationRecord load_visible_organization(persistence::Store& store, const core::Actor& actor,
                                                          const std::string& organization_id);

// 404 unless the budget a body names as budget_id exists: a key or organization linking a
// missing budget would run without the limits its caller asked for.
void require_linked_budget_exists(persistence::Store& store, const std::optional<std::string>& budget_id);

// Lists and reads by team-owned service-account keys: they call models and read nothing.
void forbid_service_accounts(const core::Actor& actor);

// 403 before any lookup when the caller's role alone rules the call out (core::decide_role: a
// service-account key anywhere, a read-only role on a write), so that such a caller gets the
// same 403 whatever the target is and whether or not it exists.
void require_role(const core::Actor& actor, core::Resource resource, core::Action action);

bool is_admin_or_viewer(const core::Actor& actor);

// A fresh id (UUID v4 layout), LiteLLM's default for team_id, user_id, organization_id, budget_id.
std::string new_id();

}  // namespace tollgate::api
