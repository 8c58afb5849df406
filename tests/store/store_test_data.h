#pragma once
// Small builders for store test records.
#include <optional>
#include <string>

#include "persistence/records.h"

namespace tollgate::testing {

persistence::AuditEntry audit_by(const std::string& who = "admin-user");

// A key for `cleartext`: hash and display name as the gateway computes them.
persistence::KeyRecord make_key(const std::string& cleartext, const std::optional<std::string>& user_id = std::nullopt,
                                const std::optional<std::string>& team_id = std::nullopt);
persistence::TeamRecord make_team(const std::string& team_id,
                                  const std::optional<std::string>& organization_id = std::nullopt);
persistence::UserRecord make_user(const std::string& user_id, const std::optional<std::string>& email = std::nullopt);
persistence::OrganizationRecord make_organization(const std::string& organization_id);
persistence::BudgetRecord make_budget(const std::string& budget_id);
persistence::SpendLogRow make_log(const std::string& request_id, const std::string& api_key, double spend,
                                  std::int64_t start_time);

}  // namespace tollgate::testing
