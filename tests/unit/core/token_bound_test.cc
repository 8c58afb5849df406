#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "core/token_bound.h"
#include "core/token_estimate.h"

using namespace tollgate::core;

TEST_CASE("typical tokens: ASCII at 4 bytes per token, every other character one token", "[core][tokens]") {
  struct Row {
    const char* text;
    std::int64_t tokens;
  };
  const Row rows[] = {
      {"", 0},
      {"a", 1},
      {"abcd", 1},
      {"abcde", 2},
      {"a short question", 4},
      {"你好", 2},                    // 6 bytes, 2 characters
      {"你好，世界", 5},              // the full-width comma is a character too
      {"héllo", 1 + 1},               // 4 ASCII bytes + é
      {"日本語 and English", 3 + 3},  // 12 ASCII bytes
      {"😀", 1},                       // 4 bytes
      {"\x80\x80", 0},                // stray continuation bytes are not characters
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(estimate_tokens(row.text) == row.tokens);
    CHECK(estimate_tokens(row.text) <= static_cast<std::int64_t>(std::string(row.text).size()));
  }
}

TEST_CASE("prompt bound: text bytes plus what providers add, capped by the context window", "[core][tokens]") {
  const auto tally = [](auto&& fill) {
    PromptTally t;
    fill(t);
    return t;
  };
  struct Row {
    const char* what;
    PromptTally tally;
    std::optional<std::int64_t> context;
    std::int64_t bound;
  };
  const Row rows[] = {
      {"empty request", {}, std::nullopt, kBoundTokensPerRequest},
      {"one message of 30 bytes", tally([](PromptTally& t) { t.text_bytes = 30, t.messages = 1; }), std::nullopt,
       kBoundTokensPerRequest + 30 + kBoundTokensPerMessage},
      {"tools add the tool-use prompt once and a wrapper each",
       tally([](PromptTally& t) { t.text_bytes = 100, t.messages = 1, t.tools = 2; }), std::nullopt,
       kBoundTokensPerRequest + 100 + kBoundTokensPerMessage + kBoundToolUseTokens + 2 * kBoundTokensPerTool},
      {"a built-in tool brings its own definition", tally([](PromptTally& t) { t.builtin_tools = 1; }), std::nullopt,
       kBoundTokensPerRequest + kBoundToolUseTokens + kBoundBuiltinToolTokens},
      {"two images at their maximum", tally([](PromptTally& t) { t.images = 2; }), std::nullopt,
       kBoundTokensPerRequest + 2 * kBoundImageTokens},
      {"audio by its base64 bytes, rounded up", tally([](PromptTally& t) { t.audio_bytes = 33; }), std::nullopt,
       kBoundTokensPerRequest + 3},
      {"a document fills the largest context", tally([](PromptTally& t) { t.documents = 1; }), std::nullopt,
       kBoundTokensPerRequest + kBoundDocumentTokens},
      {"the context window caps it", tally([](PromptTally& t) { t.documents = 1; }), 128'000, 128'000},
      {"a cap above the bound changes nothing", tally([](PromptTally& t) { t.text_bytes = 10; }), 128'000,
       kBoundTokensPerRequest + 10},
      {"typical tokens play no part", tally([](PromptTally& t) { t.typical_tokens = 1'000'000; }), std::nullopt,
       kBoundTokensPerRequest},
      {"saturates instead of wrapping",
       tally([](PromptTally& t) { t.images = std::numeric_limits<std::int64_t>::max() / 2; }), std::nullopt,
       std::numeric_limits<std::int64_t>::max()},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(prompt_token_bound(row.tally, row.context) == row.bound);
  }
}

TEST_CASE("completion bound: max_tokens if given, else the model's maximum, per choice", "[core][tokens]") {
  const auto tally = [](std::int64_t choices, std::int64_t prediction_bytes, bool output) {
    PromptTally t;
    t.choices = choices;
    t.prediction_bytes = prediction_bytes;
    t.produces_output = output;
    return t;
  };
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  struct Row {
    const char* what;
    PromptTally tally;
    std::optional<std::int64_t> asked;
    std::int64_t model_max;
    std::int64_t bound;
  };
  const Row rows[] = {
      {"the model's maximum when max_tokens is absent", tally(1, 0, true), std::nullopt, 16'384, 16'384},
      {"max_tokens narrows it", tally(1, 0, true), 50, 16'384, 50},
      {"max_tokens above the model's maximum is taken as asked", tally(1, 0, true), 100'000, 16'384, 100'000},
      {"n choices each get max_tokens", tally(3, 0, true), 50, 16'384, 150},
      {"rejected predicted tokens are billed as output", tally(1, 400, true), 50, 16'384, 450},
      {"embeddings produce no output", tally(1, 0, false), std::nullopt, 16'384, 0},
      {"a huge max_tokens times n saturates", tally(4, 0, true), kMax / 2, 16'384, kMax},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(completion_token_bound(row.tally, row.asked, row.model_max) == row.bound);
  }
}
