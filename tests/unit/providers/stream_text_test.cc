#include <catch2/catch.hpp>

#include "providers/stream_text.h"

using tollgate::providers::Api;
using tollgate::providers::stream_event_text_tokens;

TEST_CASE("stream text: the typical tokens of the text each upstream event carries", "[providers][streaming]") {
  struct Row {
    Api api;
    const char* data;
    std::int64_t tokens;
  };
  const Row rows[] = {
      {Api::openai_chat, R"({"choices":[{"index":0,"delta":{"content":"Hello"}}]})", 2},
      {Api::openai_chat, R"({"choices":[{"index":0,"delta":{"content":"你好，世界"}}]})", 5},  // one per character
      {Api::openai_chat, R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})", 0},
      {Api::openai_chat, R"({"choices":[{"delta":{"reasoning_content":"hmm"}},{"delta":{"content":"ab"}}]})", 2},
      {Api::openai_chat,
       R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{\"a\":1}"}}]}}]})", 2},
      {Api::openai_completion, R"({"choices":[{"text":"four","index":0}]})", 1},
      {Api::openai_chat, R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9}})", 0},
      {Api::openai_chat, "[DONE]", 0},
      {Api::openai_chat, "{not json", 0},
      {Api::openai_chat, R"({"choices":"x"})", 0},
      {Api::anthropic_messages,
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi!"}})", 1},
      {Api::anthropic_messages,
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"日本語"}})", 3},
      {Api::anthropic_messages,
       R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"q\":"}})", 2},
      {Api::anthropic_messages,
       R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}})", 0},
      {Api::anthropic_messages, R"({"type":"ping"})", 0},
      {Api::openai_responses, R"({"type":"response.output_text.delta","item_id":"m","delta":"你好，世界"})", 5},
      {Api::openai_responses, R"({"type":"response.function_call_arguments.delta","delta":"{\"a\":1}"})", 2},
      {Api::openai_responses, R"({"type":"response.created","response":{"usage":null}})", 0},
  };
  for (const auto& row : rows) {
    INFO(row.data);
    CHECK(stream_event_text_tokens(row.api, row.data) == row.tokens);
  }
}
