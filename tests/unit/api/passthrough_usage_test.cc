#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "api/passthrough_usage.h"

using tollgate::api::PassthroughUsage;
using tollgate::core::ProviderKind;
using tollgate::providers::SseEvent;

TEST_CASE("pass-through usage: whole answers in each provider's format", "[api][passthrough]") {
  struct Row {
    ProviderKind provider;
    std::string body;
    std::int64_t prompt, completion, cached, cache_written;
  };
  const Row rows[] = {
      {ProviderKind::openai,
       R"({"object":"chat.completion","usage":{"prompt_tokens":12,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}})",
       12, 5, 4, 0},
      {ProviderKind::openai, R"({"object":"response","usage":{"input_tokens":9,"output_tokens":3}})", 9, 3, 0, 0},
      {ProviderKind::openai, R"({"object":"list","data":[]})", 0, 0, 0, 0},
      {ProviderKind::anthropic,
       R"({"type":"message","usage":{"input_tokens":10,"output_tokens":7,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}})",
       130, 7, 100, 20},
      {ProviderKind::gemini, R"({"candidates":[],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2}})", 8,
       2, 0, 0},
      {ProviderKind::gemini,
       R"([{"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":1}},{"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6}}])",
       8, 6, 0, 0},  // streamGenerateContent without alt=sse: the last count
      {ProviderKind::bedrock, R"({"output":{},"usage":{"inputTokens":11,"outputTokens":4,"totalTokens":15}})", 11, 4, 0,
       0},
      {ProviderKind::bedrock, R"({"type":"message","usage":{"input_tokens":6,"output_tokens":2}})", 6, 2, 0, 0},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    PassthroughUsage usage(row.provider);
    usage.on_body(row.body);
    CHECK(usage.found() == (row.prompt + row.completion > 0));
    CHECK(usage.usage().prompt_tokens == row.prompt);
    CHECK(usage.usage().completion_tokens == row.completion);
    CHECK(usage.usage().cached_prompt_tokens == row.cached);
    CHECK(usage.usage().cache_creation_prompt_tokens == row.cache_written);
  }
  PassthroughUsage broken(ProviderKind::openai);
  broken.on_body("{not json");
  CHECK_FALSE(broken.found());
}

TEST_CASE("pass-through usage: streams", "[api][passthrough]") {
  SECTION("OpenAI's include_usage chunk") {
    PassthroughUsage usage(ProviderKind::openai);
    usage.on_event({"", R"({"choices":[{"delta":{"content":"hi"}}],"usage":null})"});
    CHECK_FALSE(usage.found());
    usage.on_event({"", R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9}})"});
    usage.on_event({"", "[DONE]"});
    CHECK(usage.usage().prompt_tokens == 3);
    CHECK(usage.usage().completion_tokens == 9);
  }
  SECTION("the Responses API's response.completed") {
    PassthroughUsage usage(ProviderKind::openai);
    usage.on_event({"response.output_text.delta", R"({"type":"response.output_text.delta","delta":"x"})"});
    usage.on_event({"response.completed",
                    R"({"type":"response.completed","response":{"usage":{"input_tokens":5,"output_tokens":8}}})"});
    CHECK(usage.usage().prompt_tokens == 5);
    CHECK(usage.usage().completion_tokens == 8);
  }
  SECTION("Anthropic: message_start's input, message_delta's output") {
    PassthroughUsage usage(ProviderKind::anthropic);
    usage.on_event(
        {"message_start",
         R"({"type":"message_start","message":{"usage":{"input_tokens":20,"output_tokens":1,"cache_read_input_tokens":50}}})"});
    usage.on_event({"content_block_delta", R"({"type":"content_block_delta","delta":{"text":"hi"}})"});
    usage.on_event({"message_delta", R"({"type":"message_delta","usage":{"output_tokens":15}})"});
    CHECK(usage.usage().prompt_tokens == 70);
    CHECK(usage.usage().cached_prompt_tokens == 50);
    CHECK(usage.usage().completion_tokens == 15);
  }
  SECTION("Bedrock's metadata event") {
    PassthroughUsage usage(ProviderKind::bedrock);
    usage.on_event({"contentBlockDelta", R"({"delta":{"text":"hi"}})"});
    usage.on_event({"metadata", R"({"usage":{"inputTokens":7,"outputTokens":3},"metrics":{"latencyMs":1}})"});
    CHECK(usage.usage().prompt_tokens == 7);
    CHECK(usage.usage().completion_tokens == 3);
  }
}

TEST_CASE("pass-through usage: Anthropic's web searches, whole, streamed and cut short",
          "[api][passthrough][web_search]") {
  PassthroughUsage whole(ProviderKind::anthropic, 5);
  whole.on_body(
      R"({"type":"message","usage":{"input_tokens":10,"output_tokens":7,"server_tool_use":{"web_search_requests":4}}})");
  CHECK(whole.usage().web_search_requests == 4);

  const SseEvent start{"message_start",
                       R"({"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}})"};
  const SseEvent search{"content_block_start",
                        R"({"type":"content_block_start","index":0,"content_block":)"
                        R"({"type":"server_tool_use","id":"s","name":"web_search","input":{}}})"};
  const SseEvent delta{"message_delta", R"({"type":"message_delta","usage":{"output_tokens":5,)"
                                        R"("server_tool_use":{"web_search_requests":2}}})"};
  PassthroughUsage streamed(ProviderKind::anthropic, 2);
  for (const auto* event : {&start, &search, &search, &search, &delta}) streamed.on_event(*event);
  CHECK(streamed.usage().web_search_requests == 2);  // the provider's count once it reports one
  CHECK(streamed.usage().completion_tokens == 5);

  PassthroughUsage cut(ProviderKind::anthropic, 2);  // no message_delta: the blocks shown, at most the bound
  cut.on_event(start);
  cut.on_event(search);
  CHECK(cut.usage().web_search_requests == 1);
  cut.on_event(search);
  cut.on_event(search);
  CHECK(cut.usage().web_search_requests == 2);
}

TEST_CASE("pass-through usage: a cut Anthropic stream is charged the samplings its server tool calls evidence",
          "[api][passthrough][server_tools][cut_stream]") {
  const SseEvent start{"message_start",
                       R"({"type":"message_start","message":{"usage":{"input_tokens":1000,"output_tokens":1}}})"};
  const SseEvent search{"content_block_start",
                        R"({"type":"content_block_start","index":0,"content_block":)"
                        R"({"type":"server_tool_use","id":"s","name":"web_search","input":{}}})"};
  const SseEvent mcp{"content_block_start", R"({"type":"content_block_start","index":1,"content_block":)"
                                            R"({"type":"mcp_tool_use","id":"m","name":"f","input":{}}})"};
  const SseEvent totals{"message_delta", R"({"type":"message_delta","usage":{"input_tokens":21000,)"
                                         R"("output_tokens":5,"server_tool_use":{"web_search_requests":1}}})"};
  const auto usage_of = [&](std::int64_t prompt_bound, std::initializer_list<const SseEvent*> events) {
    PassthroughUsage usage(ProviderKind::anthropic, 5, prompt_bound);
    for (const auto* event : events) usage.on_event(*event);
    return usage.usage();
  };
  CHECK(usage_of(100'000, {&start, &search}).prompt_tokens == 2000);  // was 1000: message_start's only
  CHECK(usage_of(100'000, {&start, &search, &mcp}).prompt_tokens == 3000);
  CHECK(usage_of(100'000, {&start, &search, &mcp, &totals}).prompt_tokens == 21000);  // reported: the truth
  CHECK(usage_of(2500, {&start, &search, &mcp}).prompt_tokens == 2500);               // the reservation's
}

// message_start says 0 output; the text relayed before a cut stands for it (typical tokens,
// core/token_estimate.h: 4 bytes each), within the output bound when one is known.
TEST_CASE("pass-through usage: an Anthropic stream cut short is charged the text it relayed as output",
          "[api][passthrough][cut_stream]") {
  PassthroughUsage usage(ProviderKind::anthropic);
  usage.on_event(
      {"message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":20,"output_tokens":0}}})"});
  usage.on_event({"content_block_delta",
                  R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"0123456789abcdef"}})"});
  usage.on_event({"content_block_delta",
                  R"({"type":"content_block_delta","delta":{"type":"input_json_delta","partial_json":"{\"city\":"}})"});
  usage.on_event({"ping", R"({"type":"ping"})"});
  CHECK(usage.usage().completion_tokens == 0);                 // what was reported
  CHECK(usage.usage_cut_short(0).completion_tokens == 4 + 2);  // 16 bytes of text, 8 of JSON
  CHECK(usage.usage_cut_short(5).completion_tokens == 5);
  CHECK(usage.usage_cut_short(5).prompt_tokens == 20);
  usage.on_event({"message_delta", R"({"type":"message_delta","usage":{"output_tokens":40}})"});
  CHECK(usage.usage_cut_short(100).completion_tokens == 40);  // a report above the estimate wins
}
