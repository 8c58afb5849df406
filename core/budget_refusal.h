#pragma once
// A budget or rate-limit refusal as the client sees it: LiteLLM's message text and headers
// (docs/budgets.md, "Errors and headers"), and the reason label of
// tollgate_rate_limit_denials_total.
#include <string_view>

#include "core/api_error.h"
#include "core/budget_ledger.h"

namespace tollgate::core {

// Who refused: `entity` is "Key", "Team", "User" or "Organization"; `label` its alias or name.
struct RefusingEntity {
  std::string_view entity;
  std::string_view label;
  bool is_key = false;  // keys add x-litellm-key-remaining-* headers
};

// 429: budget_exceeded for a budget, rate_limit_error (with retry-after) for the rest.
ApiError refusal_error(const Refusal& refusal, const RefusingEntity& who);

// "budget", "rpm", "model_rpm", "tpm", "model_tpm" or "max_parallel_requests".
const char* refusal_reason(RefusedBy limit);

}  // namespace tollgate::core
