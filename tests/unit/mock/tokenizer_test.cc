// tollgate-mock's tokenizer mode: counts like a real tokenizer, and the gateway's worst case
// (core/token_bound.h) is never below what it reports.
#include <catch2/catch.hpp>

#include <string>

#include "core/token_bound.h"
#include "providers/prompt_tally.h"
#include "tools/mock/behavior.h"
#include "tools/mock/config_json.h"
#include "tools/mock/options.h"
#include "tools/mock/reply_text.h"
#include "tools/mock/request_body.h"

using namespace tollgate::mock;

TEST_CASE("mock tokenizer: ASCII runs at 4 bytes per token, other characters one each", "[mock][tokens]") {
  struct Row {
    const char* text;
    std::size_t tokens;
  };
  const Row rows[] = {
      {"", 0}, {"abcd", 1}, {"abcde", 2}, {"你好", 2}, {"你好，世界", 5}, {"ab你cd", 1 + 1 + 1}, {"é", 1}, {"😀😀", 2},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(count_tokens(row.text) == row.tokens);
    CHECK(count_tokens(row.text) <= std::string(row.text).size());  // a BPE's bound holds
  }
}

TEST_CASE("mock tokenizer: an answer cut at max_tokens keeps whole characters", "[mock][tokens]") {
  struct Row {
    const char* text;
    std::size_t max_tokens;
    const char* kept;
  };
  const Row rows[] = {
      {"你好世界", 2, "你好"},
      {"你好世界", 10, "你好世界"},
      {"Hello there, friend", 2, "Hello th"},
      {"ab你好", 2, "ab你"},
      {"你好", 0, ""},
      {"abc", static_cast<std::size_t>(-1), "abc"},  // no overflow on a huge limit
  };
  for (const auto& row : rows) {
    INFO(row.text << " / " << row.max_tokens);
    const auto kept = first_tokens(row.text, row.max_tokens);
    CHECK(kept == row.kept);
    CHECK(count_tokens(kept) <= row.max_tokens);
  }
}

TEST_CASE("mock tokenizer: chosen by flag, config or model token", "[mock][tokens]") {
  Options options;
  const char* argv[] = {"tollgate-mock", "--token-count", "tokenizer"};
  CHECK(parse_options(3, argv, options).empty());
  CHECK(options.defaults.token_count == TokenCount::tokenizer);
  const char* bad[] = {"tollgate-mock", "--token-count=bpe"};
  CHECK_FALSE(parse_options(2, bad, options).empty());

  Defaults defaults;
  CHECK(apply_config_json(R"({"token_count":"tokenizer"})", defaults).empty());
  CHECK(defaults.token_count == TokenCount::tokenizer);
  CHECK_FALSE(apply_config_json(R"({"token_count":1})", defaults).empty());
  std::string json;
  append_config_json(json, defaults);
  CHECK_THAT(json, Catch::Contains(R"("token_count":"tokenizer")"));

  CHECK(resolve_plan(parse_model_tokens("openai/m+tokenizer+echo"), Defaults{}, 0.5).token_count ==
        TokenCount::tokenizer);
  CHECK(resolve_plan(parse_model_tokens("m+echo"), Defaults{}, 0.5).token_count == TokenCount::approx);
}

TEST_CASE("mock tokenizer: the prompt with the chat format's tokens, and max_tokens", "[mock][tokens]") {
  // 3 to prime the reply; per message 3 + its role; "你好世界" 4 tokens; "sys" 1.
  const auto chat = parse_request_body(
      R"({"model":"m","max_tokens":7,"messages":[{"role":"system","content":"sys"},{"role":"user","content":"你好世界"}]})",
      BodyKind::chat);
  CHECK(chat.prompt_token_count == 3 + (3 + 2 + 1) + (3 + 1 + 4));
  CHECK(chat.max_tokens == 7);
  CHECK(parse_request_body(R"({"max_tokens":7,"max_completion_tokens":9})", BodyKind::chat).max_tokens == 9);
  CHECK(parse_request_body(R"({"input":[[1,2,3],"你好"]})", BodyKind::embedding).prompt_token_count == 3 + 2);
}

TEST_CASE("the gateway's worst case is never below what the mock tokenizer charges", "[mock][tokens]") {
  const std::string chinese = "在一个晴朗的早晨，我们沿着河边散步，讨论预算和令牌的计算方法。";
  const std::string bodies[] = {
      R"({"model":"m","messages":[{"role":"user","content":"hi"}]})",
      R"({"model":"m","messages":[{"role":"user","content":")" + chinese + R"("}]})",
      R"({"model":"m","messages":[{"role":"system","content":"你是一个助手"},{"role":"user","name":"李","content":[{"type":"text","text":")" +
          chinese + R"("}]},{"role":"assistant","content":"好"},{"role":"user","content":"继续"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"a b c d e f g h i j k l m n o p"}]})",
  };
  for (const auto& body : bodies) {
    INFO(body);
    rapidjson::Document d;
    d.Parse(body.c_str());
    const auto tally = tollgate::providers::tally_prompt(d, tollgate::providers::Api::openai_chat, body.size());
    const auto charged = parse_request_body(body, BodyKind::chat).prompt_token_count;
    CHECK(tollgate::core::prompt_token_bound(tally, std::nullopt) >= static_cast<std::int64_t>(charged));
    // The typical estimate is close to the tokenizer: within the per-message format tokens.
    CHECK(tally.typical_tokens <= static_cast<std::int64_t>(charged));
  }
}
