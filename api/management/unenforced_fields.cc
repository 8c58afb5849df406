#include "api/management/unenforced_fields.h"

#include <string>

#include "api/management/http_error.h"

namespace tollgate::api {

const std::initializer_list<std::string_view> kUnenforcedKeyRestrictions = {
    "guardrails", "enforced_params", "allowed_routes", "object_permission", "permissions",
    "allowed_cache_controls", "model_max_budget", "budget_limits", "policies"};
const std::initializer_list<std::string_view> kUnenforcedTeamRestrictions = {
    "guardrails", "object_permission", "model_rpm_limit", "model_tpm_limit", "model_max_budget",
    "team_member_budget", "team_member_rpm_limit", "team_member_tpm_limit", "team_member_key_duration",
    "policies", "budget_limits"};
const std::initializer_list<std::string_view> kUnenforcedUserRestrictions = {
    "model_max_budget", "model_rpm_limit", "model_tpm_limit", "object_permission", "budget_limits",
    "guardrails", "allowed_cache_controls", "permissions"};
const std::initializer_list<std::string_view> kUnenforcedOrganizationRestrictions = {
    "model_max_budget", "model_rpm_limit", "model_tpm_limit", "object_permission"};
const std::initializer_list<std::string_view> kUnenforcedBudgetRestrictions = {"model_max_budget"};

namespace {

// Whether a JSON value asks for anything: false and 0 do (`"permissions": {"x": false}` denies).
bool sets_something(const rapidjson::Value& value) {
  if (value.IsNull()) return false;
  if (value.IsString()) return value.GetStringLength() > 0;
  if (value.IsArray()) {
    for (const auto& item : value.GetArray()) {
      if (sets_something(item)) return true;
    }
    return false;
  }
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      if (sets_something(member.value)) return true;
    }
    return false;
  }
  return true;
}

}  // namespace

void reject_unenforced(const BodyReader& body, std::initializer_list<std::string_view> fields) {
  for (const auto field : fields) {
    const std::string name(field);
    const auto* value = body.raw(name.c_str());
    if (value && sets_something(*value)) {
      throw_bad_request("'" + name + "' sets a restriction Tollgate does not enforce; remove it (null or empty is accepted)",
                        name);
    }
  }
}

}  // namespace tollgate::api
