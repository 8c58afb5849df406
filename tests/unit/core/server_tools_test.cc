// Server tools (core/server_tools.h): which Anthropic tools run in the provider's loop, and the
// bounds of the tokens a request with them can be billed for.
#include <catch2/catch.hpp>

#include <limits>
#include <optional>

#include "core/server_tools.h"

using namespace tollgate::core;

TEST_CASE("server tools are told from client tools by their type", "[core][server_tools]") {
  struct Row {
    const char* type;
    bool server;
  };
  const Row rows[] = {
      {"web_search_20250305", true},
      {"web_search_20260209", true},
      {"web_fetch_20250910", true},
      {"code_execution_20250825", true},
      {"tool_search_tool_bm25_20251119", true},
      {"mcp_toolset", true},
      {"some_future_tool_20270101", true},  // unknown: the safe side
      {"computer_20250124", false},
      {"bash_20250124", false},
      {"text_editor_20250728", false},
      {"memory_20250818", false},
      {"function", false},
      {"custom", false},
      {"", false},
  };
  for (const auto& row : rows) {
    INFO(row.type);
    CHECK(is_anthropic_server_tool(row.type) == row.server);
  }
}

TEST_CASE("samplings: the provider's loop limit, or the declared uses plus the answer when more",
          "[core][server_tools]") {
  struct Row {
    std::int64_t declared_uses;
    std::int64_t samplings;
  };
  const Row rows[] = {
      {0, kServerToolLoopIterations},
      {-5, kServerToolLoopIterations},
      {3, kServerToolLoopIterations},  // a search past max_uses still costs a sampling
      {9, 10},
      {10, 11},
      {50, 51},
      {std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()},
  };
  for (const auto& row : rows) {
    INFO(row.declared_uses);
    CHECK(server_tool_samplings(row.declared_uses) == row.samplings);
  }
}

TEST_CASE("input bound: the first sampling, then a full context window for each other one", "[core][server_tools]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  struct Row {
    std::int64_t first;
    std::int64_t samplings;
    std::optional<std::int64_t> window;
    std::optional<std::int64_t> bound;
  };
  const Row rows[] = {
      {1'000, 10, 200'000, 1'000 + 9 * 200'000},
      {200'000, 10, 200'000, 2'000'000},  // each sampling at most the window
      {1'000, 1, 200'000, 1'000},
      {1'000, 0, 200'000, 1'000},               // at least the one sampling
      {1'000, 10, std::nullopt, std::nullopt},  // nothing bounds what the tools add
      {1'000, 10, 0, std::nullopt},
      {1'000, kMax, 1'000'000, kMax},  // saturates, never wraps
  };
  for (const auto& row : rows) {
    INFO(row.first << " " << row.samplings);
    CHECK(server_tool_prompt_bound(row.first, row.samplings, row.window) == row.bound);
  }
}

TEST_CASE("output bound: one sampling's bound for each sampling", "[core][server_tools]") {
  CHECK(server_tool_completion_bound(1'024, 10) == 10'240);
  CHECK(server_tool_completion_bound(1'024, 0) == 1'024);
  CHECK(server_tool_completion_bound(0, 10) == 0);  // embeddings
  CHECK(server_tool_completion_bound(std::numeric_limits<std::int64_t>::max(), 10) ==
        std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("a stream cut before its totals is charged the samplings its tool calls evidence",
          "[core][server_tools][cut_stream]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  struct Row {
    const char* why;
    std::int64_t first_sampling, tool_calls_shown, prompt_bound;
    std::int64_t charged;
  };
  const Row rows[] = {
      {"no tool call shown: one sampling, message_start's input", 1000, 0, 100'000, 1000},
      {"one search shown: it and the sampling after it", 1000, 1, 100'000, 2000},
      {"three searches shown: four samplings", 1000, 3, 100'000, 4000},
      {"capped at what the reservation holds", 1000, 3, 2500, 2500},
      {"never below what the provider reported, whatever the bound", 1000, 3, 400, 1000},
      {"no bound known (0): the reported input only", 1000, 3, 0, 1000},
      {"a negative count is wrong, never a credit", 1000, -4, 100'000, 1000},
      {"a negative input counts as none", -50, 3, 100'000, 0},
      {"saturates instead of overflowing", kMax / 2, 5, kMax, kMax},
  };
  for (const auto& row : rows) {
    INFO(row.why);
    CHECK(unreported_samplings_input(row.first_sampling, row.tool_calls_shown, row.prompt_bound) == row.charged);
  }
}
