#include "core/cost_map.h"

#include <array>

namespace tollgate::core {
namespace {

struct Entry {
  std::string_view model;
  ModelPrice price;
  std::int64_t max_output_tokens;  // the most one answer can have, as published
};

// USD per token (list prices per million tokens / 1e6), as published by the providers, and
// the family's largest output (a family's newest snapshot may allow more than older ones).
constexpr std::array<Entry, 30> kModels{{
    {"gpt-4o-mini", {0.15e-6, 0.60e-6, 0.075e-6}, 16'384},
    {"gpt-4o", {2.50e-6, 10.00e-6, 1.25e-6}, 16'384},
    {"gpt-4.1-nano", {0.10e-6, 0.40e-6, 0.025e-6}, 32'768},
    {"gpt-4.1-mini", {0.40e-6, 1.60e-6, 0.10e-6}, 32'768},
    {"gpt-4.1", {2.00e-6, 8.00e-6, 0.50e-6}, 32'768},
    {"gpt-4-turbo", {10.00e-6, 30.00e-6, 0}, 4'096},
    {"gpt-4", {30.00e-6, 60.00e-6, 0}, 32'768},  // the prefix also matches gpt-4-32k, gpt-4.5
    {"gpt-3.5-turbo", {0.50e-6, 1.50e-6, 0}, 4'096},
    {"gpt-5-mini", {0.25e-6, 2.00e-6, 0.025e-6}, 128'000},
    {"gpt-5-nano", {0.05e-6, 0.40e-6, 0.005e-6}, 128'000},
    {"gpt-5", {1.25e-6, 10.00e-6, 0.125e-6}, 128'000},
    {"o1-mini", {1.10e-6, 4.40e-6, 0.55e-6}, 65'536},
    {"o1", {15.00e-6, 60.00e-6, 7.50e-6}, 100'000},
    {"o3-mini", {1.10e-6, 4.40e-6, 0.55e-6}, 100'000},
    {"o3", {2.00e-6, 8.00e-6, 0.50e-6}, 100'000},
    {"o4-mini", {1.10e-6, 4.40e-6, 0.275e-6}, 100'000},
    {"text-embedding-3-small", {0.02e-6, 0, 0}, 0},
    {"text-embedding-3-large", {0.13e-6, 0, 0}, 0},
    {"text-embedding-ada-002", {0.10e-6, 0, 0}, 0},
    // Claude: cache reads at 0.1 × input, 5-minute cache writes at 1.25 × input.
    {"claude-3-5-sonnet", {3.00e-6, 15.00e-6, 0.30e-6, 3.75e-6}, 8'192},
    {"claude-3-7-sonnet", {3.00e-6, 15.00e-6, 0.30e-6, 3.75e-6}, 128'000},  // with the output-128k beta
    {"claude-sonnet-4", {3.00e-6, 15.00e-6, 0.30e-6, 3.75e-6}, 64'000},
    {"claude-3-5-haiku", {0.80e-6, 4.00e-6, 0.08e-6, 1.00e-6}, 8'192},
    {"claude-3-haiku", {0.25e-6, 1.25e-6, 0.03e-6, 0.30e-6}, 4'096},
    {"claude-haiku-4", {1.00e-6, 5.00e-6, 0.10e-6, 1.25e-6}, 64'000},
    {"claude-3-opus", {15.00e-6, 75.00e-6, 1.50e-6, 18.75e-6}, 4'096},
    {"claude-opus-4", {15.00e-6, 75.00e-6, 1.50e-6, 18.75e-6}, 64'000},
    {"claude-3-sonnet", {3.00e-6, 15.00e-6, 0}, 4'096},
    {"mistral-large", {2.00e-6, 6.00e-6, 0}, 131'072},  // no separate output limit: the context
    {"deepseek-chat", {0.27e-6, 1.10e-6, 0.07e-6}, 8'192},
}};

// Exact name first, then the longest known prefix (dated snapshots share their family's row).
const Entry* find_model(std::string_view model) {
  const Entry* best = nullptr;
  for (const auto& e : kModels) {
    if (model == e.model) return &e;
    if (model.substr(0, e.model.size()) == e.model && (!best || e.model.size() > best->model.size())) {
      best = &e;
    }
  }
  return best;
}

}  // namespace

std::optional<ModelPrice> builtin_price(std::string_view model) {
  const Entry* e = find_model(model);
  return e ? std::optional<ModelPrice>(e->price) : std::nullopt;
}

std::optional<std::int64_t> builtin_max_output_tokens(std::string_view model) {
  const Entry* e = find_model(model);
  return e ? std::optional<std::int64_t>(e->max_output_tokens) : std::nullopt;
}

double cost_of(const Usage& usage, const ModelPrice& price) {
  const double cached_price = price.cached_input_per_token > 0 ? price.cached_input_per_token : price.input_per_token;
  const double creation_price =
      price.cache_creation_input_per_token > 0 ? price.cache_creation_input_per_token : price.input_per_token;
  // A provider reporting more cache tokens than prompt tokens is wrong; never charge below zero.
  const auto cached = std::max<std::int64_t>(0, std::min(usage.cached_prompt_tokens, usage.prompt_tokens));
  const auto created =
      std::max<std::int64_t>(0, std::min(usage.cache_creation_prompt_tokens, usage.prompt_tokens - cached));
  return static_cast<double>(usage.prompt_tokens - cached - created) * price.input_per_token +
         static_cast<double>(cached) * cached_price + static_cast<double>(created) * creation_price +
         static_cast<double>(usage.completion_tokens) * price.output_per_token;
}

}  // namespace tollgate::core
