#include <catch2/catch.hpp>

#include "core/cost_map.h"

using namespace tollgate::core;

TEST_CASE("built-in prices by exact name and by dated snapshot", "[core][cost]") {
  REQUIRE(builtin_price("gpt-4o"));
  CHECK(builtin_price("gpt-4o")->input_per_token == Approx(2.5e-6));
  CHECK(builtin_price("gpt-4o-mini")->input_per_token == Approx(0.15e-6));  // longest prefix wins
  CHECK(builtin_price("gpt-4o-2024-08-06")->output_per_token == Approx(10e-6));
  CHECK(builtin_price("claude-3-5-sonnet-20241022")->input_per_token == Approx(3e-6));
  CHECK(builtin_price("claude-3-5-haiku-20241022")->output_per_token == Approx(4e-6));
  CHECK_FALSE(builtin_price("my-local-llama").has_value());
}

TEST_CASE("cost of usage, with cached prompt tokens at the cached price", "[core][cost]") {
  const ModelPrice price{1e-6, 2e-6, 0.5e-6};
  Usage u;
  u.prompt_tokens = 1000;
  u.completion_tokens = 100;
  CHECK(cost_of(u, price) == Approx(1000 * 1e-6 + 100 * 2e-6));
  u.cached_prompt_tokens = 400;
  CHECK(cost_of(u, price) == Approx(600 * 1e-6 + 400 * 0.5e-6 + 100 * 2e-6));
  const ModelPrice no_cache_price{1e-6, 2e-6, 0};
  CHECK(cost_of(u, no_cache_price) == Approx(1000 * 1e-6 + 100 * 2e-6));
  CHECK(cost_of(Usage{}, price) == 0);
}

TEST_CASE("built-in maximum output by exact name and by dated snapshot", "[core][cost]") {
  CHECK(builtin_max_output_tokens("gpt-4o-mini") == 16'384);
  CHECK(builtin_max_output_tokens("gpt-4o-2024-08-06") == 16'384);
  CHECK(builtin_max_output_tokens("gpt-4.1-mini-2025-04-14") == 32'768);
  CHECK(builtin_max_output_tokens("claude-sonnet-4-20250514") == 64'000);
  CHECK(builtin_max_output_tokens("gpt-4.5-preview") >= 16'384);  // shares the gpt-4 prefix
  CHECK(builtin_max_output_tokens("text-embedding-3-small") == 0);
  CHECK_FALSE(builtin_max_output_tokens("my-local-llama").has_value());
}

TEST_CASE("the dearest of several prices for one call's token bounds", "[core][cost][passthrough]") {
  const ModelPrice cheap{1e-6, 1e-6};
  const ModelPrice dear_output{1e-6, 10e-6};
  const ModelPrice dear_input{10e-6, 1e-6};
  ModelPrice dear_reasoning{1e-6, 1e-6};
  dear_reasoning.output_reasoning_per_token = 100e-6;
  struct Row {
    std::vector<std::optional<ModelPrice>> prices;
    std::int64_t prompt, completion;
    std::optional<std::size_t> dearest;
  };
  const Row rows[] = {
      {{}, 10, 10, std::nullopt},
      {{std::nullopt, std::nullopt}, 10, 10, std::nullopt},
      {{std::nullopt, cheap}, 10, 10, 1},
      {{cheap, dear_output}, 10, 10, 1},
      {{dear_output, dear_input}, 1000, 10, 1},           // a long prompt: the dearer input wins
      {{dear_output, dear_input}, 10, 1000, 0},           // a long answer: the dearer output
      {{cheap, dear_output, dear_reasoning}, 10, 10, 2},  // every kind of token at its highest price
      {{cheap, cheap}, 10, 10, 0},                        // the first among equals
      {{cheap}, 0, 0, 0},
  };
  for (const auto& row : rows) {
    INFO(row.prices.size() << " prices, " << row.prompt << " / " << row.completion);
    CHECK(dearest_price(row.prices, row.prompt, row.completion) == row.dearest);
  }
}
