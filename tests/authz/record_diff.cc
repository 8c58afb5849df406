#include "tests/authz/record_diff.h"

#include <algorithm>
#include <tuple>

namespace tollgate::authz {
namespace {

#define FIELD(name)          \
  if (!(a.name == b.name)) { \
    out.insert(#name);       \
  }

std::vector<std::pair<std::string, std::string>> sorted_members(const std::vector<persistence::TeamMember>& members) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : members) out.emplace_back(m.user_id, m.role);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

FieldSet diff(const persistence::KeyRecord& a, const persistence::KeyRecord& b) {
  FieldSet out;
  FIELD(token_hash)
  FIELD(key_name)
  FIELD(key_alias)
  FIELD(user_id)
  FIELD(team_id)
  FIELD(organization_id)
  FIELD(budget_id)
  FIELD(models)
  FIELD(spend)
  FIELD(max_budget)
  FIELD(soft_budget)
  FIELD(budget_duration)
  FIELD(budget_reset_at)
  FIELD(rpm_limit)
  FIELD(tpm_limit)
  FIELD(max_parallel_requests)
  FIELD(model_rpm_limit)
  FIELD(model_tpm_limit)
  FIELD(expires_at)
  FIELD(blocked)
  FIELD(metadata)
  FIELD(service_account)
  FIELD(model_aliases)
  FIELD(created_by)
  FIELD(updated_by)
  FIELD(created_at)
  FIELD(updated_at)
  return out;
}

FieldSet diff(const persistence::TeamRecord& a, const persistence::TeamRecord& b) {
  FieldSet out;
  FIELD(team_id)
  FIELD(team_alias)
  FIELD(organization_id)
  FIELD(models)
  FIELD(spend)
  FIELD(max_budget)
  FIELD(budget_duration)
  FIELD(budget_reset_at)
  FIELD(rpm_limit)
  FIELD(tpm_limit)
  FIELD(max_parallel_requests)
  FIELD(blocked)
  FIELD(team_member_permissions)
  FIELD(model_aliases)
  FIELD(metadata)
  FIELD(created_at)
  FIELD(updated_at)
  FIELD(created_by)
  FIELD(updated_by)
  if (sorted_members(a.members) != sorted_members(b.members)) out.insert("members");
  return out;
}

FieldSet diff(const persistence::UserRecord& a, const persistence::UserRecord& b) {
  FieldSet out;
  FIELD(user_id)
  FIELD(user_alias)
  FIELD(user_email)
  FIELD(user_role)
  FIELD(organization_id)
  FIELD(models)
  FIELD(spend)
  FIELD(max_budget)
  FIELD(budget_duration)
  FIELD(budget_reset_at)
  FIELD(rpm_limit)
  FIELD(tpm_limit)
  FIELD(max_parallel_requests)
  FIELD(metadata)
  FIELD(created_at)
  FIELD(updated_at)
  return out;
}

FieldSet diff(const persistence::OrganizationRecord& a, const persistence::OrganizationRecord& b) {
  FieldSet out;
  FIELD(organization_id)
  FIELD(organization_alias)
  FIELD(budget_id)
  FIELD(models)
  FIELD(spend)
  FIELD(max_budget)
  FIELD(budget_duration)
  FIELD(budget_reset_at)
  FIELD(rpm_limit)
  FIELD(tpm_limit)
  FIELD(max_parallel_requests)
  FIELD(metadata)
  FIELD(created_at)
  FIELD(updated_at)
  FIELD(created_by)
  FIELD(updated_by)
  return out;
}

FieldSet diff(const persistence::BudgetRecord& a, const persistence::BudgetRecord& b) {
  FieldSet out;
  FIELD(budget_id)
  FIELD(max_budget)
  FIELD(soft_budget)
  FIELD(max_parallel_requests)
  FIELD(tpm_limit)
  FIELD(rpm_limit)
  FIELD(budget_duration)
  FIELD(budget_reset_at)
  FIELD(created_at)
  FIELD(updated_at)
  FIELD(created_by)
  FIELD(updated_by)
  return out;
}

FieldSet diff(const std::vector<persistence::OrgMember>& a, const std::vector<persistence::OrgMember>& b) {
  auto key = [](const std::vector<persistence::OrgMember>& members) {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& m : members) out.emplace_back(m.organization_id, m.user_id, m.user_role);
    std::sort(out.begin(), out.end());
    return out;
  };
  return key(a) == key(b) ? FieldSet{} : FieldSet{"members"};
}

#undef FIELD

std::string to_string(const FieldSet& fields) {
  if (fields.empty()) return "{}";
  std::string out = "{";
  for (const auto& f : fields) out += (out.size() > 1 ? ", " : "") + f;
  return out + "}";
}

}  // namespace tollgate::authz
