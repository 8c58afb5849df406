// Web search fees (core/web_search.h): which tools search, what max_uses bounds, what the
// searches cost at settle (core::cost_of) and in a reservation (core::CostEstimate).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <optional>

#include "core/budget_math.h"
#include "core/cost_map.h"
#include "core/search_context_size.h"
#include "core/web_search.h"

using namespace tollgate::core;

TEST_CASE("web search tools are told by their type", "[core][web_search]") {
  struct Row {
    const char* type;
    bool searches;
  };
  const Row rows[] = {
      {"web_search_20250305", true},
      {"web_search_20260209", true},
      {"web_search", true},
      {"web_search_preview", true},
      {"web_searcher", false},
      {"web_fetch_20250910", false},
      {"function", false},
      {"", false},
      {"code_execution_20250522", false},
  };
  for (const auto& row : rows) {
    INFO(row.type);
    CHECK(is_web_search_tool(row.type) == row.searches);
  }
}

TEST_CASE("max_uses bounds the searches only as a positive number, rounded up", "[core][web_search]") {
  struct Row {
    std::optional<double> max_uses;
    std::optional<std::int64_t> allowed;
  };
  const Row rows[] = {
      {std::nullopt, std::nullopt},
      {0.0, std::nullopt},
      {-3.0, std::nullopt},
      {std::nan(""), std::nullopt},
      {1.0, 1},
      {5.0, 5},
      {2.5, 3},  // a lenient reader may take it as 3
      {1e300, kMaxWebSearches},
      {std::numeric_limits<double>::infinity(), kMaxWebSearches},
  };
  for (const auto& row : rows) {
    INFO((row.max_uses ? std::to_string(*row.max_uses) : "absent"));
    CHECK(searches_allowed(row.max_uses) == row.allowed);
  }
}

TEST_CASE("search counts add up to at most kMaxWebSearches", "[core][web_search]") {
  CHECK(add_searches(0, 5) == 5);
  CHECK(add_searches(3, 4) == 7);
  CHECK(add_searches(kMaxWebSearches, 1) == kMaxWebSearches);
  CHECK(add_searches(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()) ==
        kMaxWebSearches);
  CHECK(add_searches(-7, 2) == 2);
}

TEST_CASE("a call is charged each search it ran on top of its tokens", "[core][web_search][cost]") {
  ModelPrice claude;
  claude.input_per_token = 3e-6;
  claude.output_per_token = 15e-6;
  struct Row {
    std::int64_t prompt, completion, searches;
    double per_web_search;
    double cost;
  };
  const Row rows[] = {
      {1000, 100, 0, 0, 1000 * 3e-6 + 100 * 15e-6},
      {1000, 100, 3, 0, 1000 * 3e-6 + 100 * 15e-6 + 3 * 0.01},  // Anthropic's $10 per 1,000
      {0, 0, 1, 0, 0.01},
      {0, 0, 4, 0.025, 0.1},  // model_info's price per search
      {0, 0, -2, 0, 0},       // a negative count is wrong, never a credit
  };
  for (const auto& row : rows) {
    Usage usage;
    usage.prompt_tokens = row.prompt;
    usage.completion_tokens = row.completion;
    usage.web_search_requests = row.searches;
    auto price = claude;
    price.per_web_search = row.per_web_search;
    INFO(row.searches << " searches at " << row.per_web_search);
    CHECK(cost_of(usage, price) == Approx(row.cost).epsilon(1e-12));
  }
}

TEST_CASE("a reservation holds the most searches at the dearest fee", "[core][web_search][budget]") {
  const CostEstimate none{1000, 100, 3e-6, 15e-6, 0, 0.01};
  const CostEstimate five{1000, 100, 3e-6, 15e-6, 5, 0.01};
  CHECK(five.worst_case() - none.worst_case() == Approx(0.05));
  // The bound holds what the settle charges for the same searches at the same price.
  ModelPrice price;
  price.input_per_token = 3e-6;
  price.output_per_token = 15e-6;
  Usage most;
  most.prompt_tokens = 1000;
  most.completion_tokens = 100;
  most.web_search_requests = 5;
  CHECK(cost_of(most, price) <= five.worst_case() * (1 + 1e-12));
  CHECK(ModelPrice{}.web_search_fee() == kWebSearchFeeUsd);
}

TEST_CASE("a search model is charged one search per call, at the context size asked for", "[core][web_search][cost]") {
  struct Row {
    const char* model;
    std::int64_t searches_per_call;
    double low, medium, high;  // OpenAI's fee per call by search_context_size
  };
  const Row rows[] = {
      {"gpt-4o-search-preview", 1, 0.030, 0.035, 0.050},
      {"gpt-4o-search-preview-2025-03-11", 1, 0.030, 0.035, 0.050},  // a dated snapshot: its family's row
      {"gpt-4o-mini-search-preview", 1, 0.025, 0.0275, 0.030},
      {"gpt-4o-mini-search-preview-2025-03-11", 1, 0.025, 0.0275, 0.030},
      {"gpt-4o", 0, kWebSearchFeeUsd, kWebSearchFeeUsd, kWebSearchFeeUsd},
      {"gpt-4o-mini", 0, kWebSearchFeeUsd, kWebSearchFeeUsd, kWebSearchFeeUsd},
  };
  for (const auto& row : rows) {
    INFO(row.model);
    const auto price = builtin_price(row.model);
    REQUIRE(price);
    CHECK(price->searches_per_call == row.searches_per_call);
    CHECK(price->web_search_fee() == Approx(row.high));  // no size named: the dearest
    Usage usage;
    usage.prompt_tokens = 1000;
    usage.completion_tokens = 100;
    const double tokens = 1000 * price->input_per_token + 100 * price->output_per_token;
    const auto calls = static_cast<double>(row.searches_per_call);
    // Its usage reports no search: the call's own is charged all the same, at the size asked for.
    CHECK(cost_of(usage, *price, SearchContextSize::low) == Approx(tokens + calls * row.low));
    CHECK(cost_of(usage, *price, SearchContextSize::medium) == Approx(tokens + calls * row.medium));
    CHECK(cost_of(usage, *price, SearchContextSize::high) == Approx(tokens + calls * row.high));
    CHECK(cost_of(usage, *price) == Approx(tokens + calls * row.high));
    usage.web_search_requests = 2;  // more reported: each is charged, never fewer than per call
    CHECK(cost_of(usage, *price, SearchContextSize::low) == Approx(tokens + 2 * row.low));
  }
}

TEST_CASE("a search's fee by context size falls back to the dearest, then Anthropic's", "[core][web_search][cost]") {
  struct Row {
    const char* why;
    double per_web_search;
    std::array<double, kSearchContextSizes> by_size;
    std::optional<SearchContextSize> size;
    double fee;
  };
  const Row rows[] = {
      {"the size's own fee", 0.05, {0.03, 0.035, 0.05}, SearchContextSize::low, 0.03},
      {"medium", 0.05, {0.03, 0.035, 0.05}, SearchContextSize::medium, 0.035},
      {"no size named: the dearest", 0.05, {0.03, 0.035, 0.05}, std::nullopt, 0.05},
      {"no fee by size: per_web_search", 0.02, {0, 0, 0}, SearchContextSize::low, 0.02},
      {"nothing known: Anthropic's list fee", 0, {0, 0, 0}, SearchContextSize::high, kWebSearchFeeUsd},
  };
  for (const auto& row : rows) {
    INFO(row.why);
    ModelPrice price;
    price.per_web_search = row.per_web_search;
    price.per_web_search_by_size = row.by_size;
    CHECK(price.web_search_fee(row.size) == Approx(row.fee));
  }
  CHECK(search_context_size_named("low") == SearchContextSize::low);
  CHECK(search_context_size_named("medium") == SearchContextSize::medium);
  CHECK(search_context_size_named("high") == SearchContextSize::high);
  for (const char* refused : {"", "HIGH", "Low", "max", "medium "}) {
    INFO(refused);
    CHECK_FALSE(search_context_size_named(refused));
  }
}
