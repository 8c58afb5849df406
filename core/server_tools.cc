#include "core/server_tools.h"

#include <algorithm>

#include "core/saturating.h"
#include "core/starts_with.h"

namespace tollgate::core {

bool is_anthropic_server_tool(std::string_view type) {
  if (type.empty() || type == "function" || type == "custom") return false;
  // Client tools: Claude asks, the client runs them and answers in the next request.
  for (const std::string_view client : {"computer_", "bash_", "text_editor_", "memory_"}) {
    if (starts_with(type, client)) return false;
  }
  return true;
}

std::int64_t server_tool_samplings(std::int64_t declared_uses) {
  return std::max(kServerToolLoopIterations, saturating_add(std::max<std::int64_t>(declared_uses, 0), 1));
}

std::optional<std::int64_t> server_tool_prompt_bound(std::int64_t first_sampling, std::int64_t samplings,
                                                     std::optional<std::int64_t> context_window) {
  if (!context_window || *context_window <= 0) return std::nullopt;
  return saturating_add(first_sampling, saturating_multiply(std::max<std::int64_t>(samplings, 1) - 1, *context_window));
}

std::int64_t server_tool_completion_bound(std::int64_t per_sampling, std::int64_t samplings) {
  return saturating_multiply(per_sampling, std::max<std::int64_t>(samplings, 1));
}

std::int64_t unreported_samplings_input(std::int64_t first_sampling, std::int64_t tool_calls_shown,
                                        std::int64_t prompt_bound) {
  const auto first = std::max<std::int64_t>(first_sampling, 0);
  const auto samplings = saturating_add(std::max<std::int64_t>(tool_calls_shown, 0), 1);
  return std::max(first, std::min(saturating_multiply(first, samplings), prompt_bound));
}

}  // namespace tollgate::core
