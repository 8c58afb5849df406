#pragma once
// Prices per token of common OpenAI and Anthropic models (USD), overridable per deployment by
// model_info.input_cost_per_token / output_cost_per_token. An unknown model costs 0: the
// caller counts it in a warning metric, it never fails a request.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/usage.h"

namespace tollgate::core {

struct ModelPrice {
  double input_per_token = 0;
  double output_per_token = 0;
  double cached_input_per_token = 0;          // 0 → same as input
  double cache_creation_input_per_token = 0;  // 0 → same as input
};

// Built-in price of a provider model name ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022"):
// exact name first, then the longest known prefix (dated snapshots share their family's price).
std::optional<ModelPrice> builtin_price(std::string_view model);

// The longest answer a built-in model can give (0 for embedding models), matched like its price.
std::optional<std::int64_t> builtin_max_output_tokens(std::string_view model);

// Cost of a call: cached prompt tokens at the cached price when there is one.
double cost_of(const Usage& usage, const ModelPrice& price);

}  // namespace tollgate::core
