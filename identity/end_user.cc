#include "identity/end_user.h"

#include "core/api_error.h"
#include "persistence/linked_budget.h"

namespace tollgate::identity {

core::Result<std::optional<std::string>> end_user_id(std::string_view header,
                                                     const std::optional<std::string>& body_user,
                                                     const std::optional<std::string>& jwt_end_user) {
  std::string_view id;
  std::string param = "user";
  if (!header.empty()) {
    id = header;
    param = "x-litellm-end-user-id";
  } else if (body_user && !body_user->empty()) {
    id = *body_user;
  } else if (jwt_end_user && !jwt_end_user->empty()) {
    id = *jwt_end_user;
  } else {
    return std::optional<std::string>{};
  }
  if (id.size() > kMaxEndUserIdBytes) {
    return core::bad_request("the end-user id must be at most " + std::to_string(kMaxEndUserIdBytes) + " bytes", param);
  }
  if (id.find('\0') != std::string_view::npos) {
    return core::bad_request("the end-user id must not contain NUL characters", param);
  }
  return std::optional<std::string>(std::string(id));
}

persistence::BudgetLimits end_user_limits(const EndUser& end_user, const EndUserDefaults& defaults) {
  persistence::BudgetLimits limits;
  if (end_user.record) limits = *end_user.record;
  if (end_user.linked_budget) persistence::inherit_unset_limits(limits, *end_user.linked_budget);
  if (limits.max_budget) return limits;
  if (end_user.default_budget) persistence::inherit_unset_limits(limits, *end_user.default_budget);
  if (!limits.max_budget) limits.max_budget = defaults.max_budget;
  return limits;
}

}  // namespace tollgate::identity
