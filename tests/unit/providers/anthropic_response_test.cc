// Anthropic Messages response → OpenAI chat.completion.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "providers/anthropic_response.h"
#include "tests/unit/providers/translation_test_support.h"

using tollgate::core::Usage;
using tollgate::providers::openai_chat_response_from_anthropic;
using tollgate::testing::EqualsJson;

namespace {

constexpr std::int64_t kCreated = 1700000000;

// The chat.completion the tests expect, around a message, a finish reason and a usage object.
std::string completion(const std::string& message, const std::string& finish_reason, const std::string& usage,
                       const std::string& id = "msg_01") {
  return R"({"id":")" + id + R"(","object":"chat.completion","created":1700000000,"model":"claude-group",
             "choices":[{"index":0,"message":)" +
         message + R"(,"logprobs":null,"finish_reason":")" + finish_reason + R"("}],
             "usage":)" +
         usage + "}";
}

struct Row {
  const char* name;
  std::string anthropic;
  std::string openai;
  Usage usage;
};

}  // namespace

TEST_CASE("Anthropic → OpenAI response: table", "[providers][anthropic][response]") {
  const std::string usage_10_5 = R"({"prompt_tokens":10,"completion_tokens":5,"total_tokens":15})";
  const std::string anthropic_usage = R"("usage":{"input_tokens":10,"output_tokens":5})";
  const std::vector<Row> rows = {
      {"a text answer",
       R"({"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-sonnet","content":[{"type":"text","text":"Hello!"}],
           "stop_reason":"end_turn","stop_sequence":null,)" +
           anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"Hello!"})", "stop", usage_10_5),
       {10, 5, 0}},
      {"text blocks are concatenated",
       R"({"id":"msg_01","content":[{"type":"text","text":"Hel"},{"type":"text","text":"lo"}],"stop_reason":"end_turn",)" +
           anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"Hello"})", "stop", usage_10_5),
       {10, 5, 0}},
      {"stop_sequence → stop",
       R"({"id":"msg_01","content":[{"type":"text","text":"a"}],"stop_reason":"stop_sequence","stop_sequence":"END",)" +
           anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"a"})", "stop", usage_10_5),
       {10, 5, 0}},
      {"max_tokens → length",
       R"({"id":"msg_01","content":[{"type":"text","text":"a"}],"stop_reason":"max_tokens",)" + anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"a"})", "length", usage_10_5),
       {10, 5, 0}},
      {"refusal → content_filter",
       R"({"id":"msg_01","content":[],"stop_reason":"refusal",)" + anthropic_usage + "}",
       completion(R"({"role":"assistant","content":""})", "content_filter", usage_10_5),
       {10, 5, 0}},
      {"pause_turn → stop",
       R"({"id":"msg_01","content":[{"type":"text","text":"a"}],"stop_reason":"pause_turn",)" + anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"a"})", "stop", usage_10_5),
       {10, 5, 0}},
      {"only tool_use → null content and tool_calls with the input as a JSON string",
       R"({"id":"msg_01","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","units":["c"]}}],
           "stop_reason":"tool_use",)" +
           anthropic_usage + "}",
       completion(R"({"role":"assistant","content":null,"tool_calls":[
                     {"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"units\":[\"c\"]}"}}]})",
                  "tool_calls", usage_10_5),
       {10, 5, 0}},
      {"text and two tool calls",
       R"({"id":"msg_01","content":[{"type":"text","text":"Checking."},
           {"type":"tool_use","id":"t1","name":"a","input":{}},{"type":"tool_use","id":"t2","name":"b","input":{"x":1.5}}],
           "stop_reason":"tool_use",)" +
           anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"Checking.","tool_calls":[
                     {"id":"t1","type":"function","function":{"name":"a","arguments":"{}"}},
                     {"id":"t2","type":"function","function":{"name":"b","arguments":"{\"x\":1.5}"}}]})",
                  "tool_calls", usage_10_5),
       {10, 5, 0}},
      {"a tool_use block missing its strings and input still translates",
       R"({"id":"msg_01","content":[{"type":"tool_use"}],"stop_reason":"tool_use",)" + anthropic_usage + "}",
       completion(
           R"({"role":"assistant","content":null,"tool_calls":[{"id":"","type":"function","function":{"name":"","arguments":"{}"}}]})",
           "tool_calls", usage_10_5),
       {10, 5, 0}},
      {"thinking becomes reasoning_content; redacted thinking is dropped",
       R"({"id":"msg_01","content":[{"type":"thinking","thinking":"Hmm.","signature":"sig"},{"type":"redacted_thinking","data":"x"},
           {"type":"text","text":"42"}],"stop_reason":"end_turn",)" +
           anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"42","reasoning_content":"Hmm."})", "stop", usage_10_5),
       {10, 5, 0}},
      {"cache reads and writes count as prompt tokens; reads are cached_tokens",
       R"({"id":"msg_01","content":[{"type":"text","text":"a"}],"stop_reason":"end_turn",
           "usage":{"input_tokens":10,"cache_read_input_tokens":100,"cache_creation_input_tokens":20,"output_tokens":5}})",
       completion(
           R"({"role":"assistant","content":"a"})", "stop",
           R"({"prompt_tokens":130,"completion_tokens":5,"total_tokens":135,"prompt_tokens_details":{"cached_tokens":100}})"),
       {130, 5, 100}},
      {"cache writes alone add no cached_tokens",
       R"({"id":"msg_01","content":[{"type":"text","text":"a"}],"stop_reason":"end_turn",
           "usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":0,"output_tokens":5}})",
       completion(R"({"role":"assistant","content":"a"})", "stop",
                  R"({"prompt_tokens":30,"completion_tokens":5,"total_tokens":35})"),
       {30, 5, 0}},
      {"no usage → zeros; no id → msg; no stop_reason → stop",
       R"({"content":[{"type":"text","text":"a"}]})",
       completion(R"({"role":"assistant","content":"a"})", "stop",
                  R"({"prompt_tokens":0,"completion_tokens":0,"total_tokens":0})", "msg"),
       {0, 0, 0}},
      {"non-ASCII text and escapes survive",
       R"({"id":"msg_01","content":[{"type":"text","text":"h\u00e9llo \"q\"\n\u65e5"}],"stop_reason":"end_turn",)" +
           anthropic_usage + "}",
       completion(R"({"role":"assistant","content":"héllo \"q\"\n日"})", "stop", usage_10_5),
       {10, 5, 0}},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Usage usage{-1, -1, -1};
    const auto t = openai_chat_response_from_anthropic(row.anthropic, "claude-group", usage, kCreated);
    INFO("error: " << (t ? std::string() : t.error().message));
    REQUIRE(t.ok());
    CHECK_THAT(*t, EqualsJson(row.openai));
    CHECK(usage.prompt_tokens == row.usage.prompt_tokens);
    CHECK(usage.completion_tokens == row.usage.completion_tokens);
    CHECK(usage.cached_prompt_tokens == row.usage.cached_prompt_tokens);
  }
}

TEST_CASE("Anthropic → OpenAI response: created defaults to now", "[providers][anthropic][response]") {
  Usage usage;
  const auto t = openai_chat_response_from_anthropic(R"({"id":"m","content":[],"stop_reason":"end_turn"})", "g", usage);
  REQUIRE(t.ok());
  const auto d = tollgate::testing::parse_json(*t);
  REQUIRE(d["created"].IsInt64());
  CHECK(d["created"].GetInt64() > kCreated);
}

TEST_CASE("Anthropic → OpenAI response: errors", "[providers][anthropic][response]") {
  struct ErrorRow {
    const char* name;
    const char* body;
    const char* message_part;
  };
  const std::vector<ErrorRow> rows = {
      {"not JSON", "{\"id\":", "not a JSON object"},
      {"empty", "", "not a JSON object"},
      {"not an object", "[1]", "not a JSON object"},
      {"an Anthropic error body", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
       "Overloaded"},
      {"no content", R"({"id":"m","stop_reason":"end_turn"})", "content"},
      {"content not an array", R"({"id":"m","content":"hi"})", "content"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Usage usage{1, 2, 3};
    const auto t = openai_chat_response_from_anthropic(row.body, "g", usage, kCreated);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().status == 502);  // the provider's answer: not the client's fault
    CHECK_THAT(t.error().message, Catch::Contains(row.message_part));
    CHECK(usage.total() == 0);
  }
}
