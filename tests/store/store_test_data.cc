#include "tests/store/store_test_data.h"

#include "core/key_hash.h"

namespace tollgate::testing {

persistence::AuditEntry audit_by(const std::string& who) {
  persistence::AuditEntry entry;
  entry.changed_by = who;
  return entry;
}

persistence::KeyRecord make_key(const std::string& cleartext, const std::optional<std::string>& user_id,
                                const std::optional<std::string>& team_id) {
  persistence::KeyRecord key;
  key.token_hash = core::hash_key(cleartext);
  key.key_name = core::key_display_name(cleartext);
  key.user_id = user_id;
  key.team_id = team_id;
  return key;
}

persistence::TeamRecord make_team(const std::string& team_id, const std::optional<std::string>& organization_id) {
  persistence::TeamRecord team;
  team.team_id = team_id;
  team.team_alias = "alias-" + team_id;
  team.organization_id = organization_id;
  return team;
}

persistence::UserRecord make_user(const std::string& user_id, const std::optional<std::string>& email) {
  persistence::UserRecord user;
  user.user_id = user_id;
  user.user_email = email;
  return user;
}

persistence::OrganizationRecord make_organization(const std::string& organization_id) {
  persistence::OrganizationRecord organization;
  organization.organization_id = organization_id;
  organization.organization_alias = "alias-" + organization_id;
  return organization;
}

persistence::BudgetRecord make_budget(const std::string& budget_id) {
  persistence::BudgetRecord budget;
  budget.budget_id = budget_id;
  budget.max_budget = 10.0;
  return budget;
}

persistence::SpendLogRow make_log(const std::string& request_id, const std::string& api_key, double spend,
                                  std::int64_t start_time) {
  persistence::SpendLogRow log;
  log.request_id = request_id;
  log.api_key = api_key;
  log.spend = spend;
  log.prompt_tokens = 10;
  log.completion_tokens = 5;
  log.total_tokens = 15;
  log.start_time = start_time;
  log.end_time = start_time + 100;
  log.model = "gpt-4o";
  log.model_group = "gpt-4o";
  log.model_id = "deployment-1";
  log.provider = "openai";
  return log;
}

}  // namespace tollgate::testing
