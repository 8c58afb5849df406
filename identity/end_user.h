#pragma once
// The end user (LiteLLM's "customer") a request is made for: who it is, what the store holds
// about it, and the limits its admission stop enforces. Pure: no I/O.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "persistence/records.h"

namespace tollgate::identity {

// litellm_settings defaults for end users without a budget of their own (docs/budgets.md).
struct EndUserDefaults {
  std::optional<double> max_budget;      // max_end_user_budget
  std::optional<std::string> budget_id;  // max_end_user_budget_id: a /budget/new row
};

// What the store holds about one end user, resolved once and shared by its requests.
struct EndUser {
  std::string id;
  std::optional<persistence::EndUserRecord> record;         // none: nobody created it yet
  std::optional<persistence::BudgetRecord> linked_budget;   // record->budget_id's row
  std::optional<persistence::BudgetRecord> default_budget;  // EndUserDefaults::budget_id's row
};
using EndUserPtr = std::shared_ptr<const EndUser>;

// The longest end-user id accepted (LiteLLM sets none; a bound keeps logs and rows sane).
constexpr std::size_t kMaxEndUserIdBytes = 256;

// The request's end user: the x-litellm-end-user-id header, else the body's `user` string,
// else the JWT's end-user claim. Empty values name nobody. An id with a NUL or longer than
// kMaxEndUserIdBytes is refused (400, naming `param`).
core::Result<std::optional<std::string>> end_user_id(std::string_view header,
                                                     const std::optional<std::string>& body_user,
                                                     const std::optional<std::string>& jwt_end_user);

// The limits of the end user's admission stop: its own, then those of the budget it links for
// every one it leaves unset; an end user left without a max_budget (or without a row) takes
// the default budget's limits, then max_end_user_budget.
persistence::BudgetLimits end_user_limits(const EndUser& end_user, const EndUserDefaults& defaults);

}  // namespace tollgate::identity
