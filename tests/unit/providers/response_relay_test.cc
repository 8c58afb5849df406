// finish_response: the client's body, or the 502 the provider's unreadable answer earns.
#include <catch2/catch.hpp>

#include <string>

#include "providers/response_relay.h"

using tollgate::providers::Api;
using tollgate::providers::finish_response;

TEST_CASE("finish_response passes a same-API body through with its usage", "[providers][relay]") {
  const std::string body =
      R"({"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})";
  const auto out = finish_response(Api::openai_chat, Api::openai_chat, body, "g");
  REQUIRE(out.ok());
  CHECK(out->body == body);
  CHECK(out->usage_found);
  CHECK(out->usage.total() == 7);
}

TEST_CASE("finish_response fails with a 502 when the upstream body cannot be understood", "[providers][relay]") {
  struct Row {
    const char* name;
    Api client;
    Api upstream;
    std::string body;
    std::string message;
  };
  const Row rows[] = {
      {"not JSON", Api::openai_chat, Api::openai_chat, "<html>",
       "The upstream returned a body that is not a JSON object"},
      {"an Anthropic body without content", Api::openai_chat, Api::anthropic_messages, R"({"id":"m"})",
       "The upstream response could not be translated: the Anthropic response has no content array"},
      {"an OpenAI body without choices", Api::anthropic_messages, Api::openai_chat, R"({"id":"x","choices":[]})",
       "The upstream response could not be translated: the upstream response has no choices"},
      {"no translator", Api::openai_embedding, Api::anthropic_messages, "{}", "No translation between these APIs"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto out = finish_response(row.client, row.upstream, row.body, "g");
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().status == 502);
    CHECK(out.error().message == row.message);
  }
}

TEST_CASE("Responses API usage counts cached input within input_tokens", "[providers][relay][responses]") {
  const std::string body = R"({"id":"resp_1","object":"response","output":[],"usage":{"input_tokens":100,)"
                           R"("input_tokens_details":{"cached_tokens":80},"output_tokens":30,"output_tokens_details":)"
                           R"({"reasoning_tokens":20},"total_tokens":130}})";
  const auto out = finish_response(Api::openai_responses, Api::openai_responses, body, "g");
  REQUIRE(out.ok());
  CHECK(out->body == body);
  REQUIRE(out->usage_found);
  CHECK(out->usage.prompt_tokens == 100);  // not 180: unlike Anthropic's, cached ones are inside
  CHECK(out->usage.cached_prompt_tokens == 80);
  CHECK(out->usage.completion_tokens == 30);  // reasoning tokens included
}

TEST_CASE("a Responses API stream passes through with its names and usage from the terminal event",
          "[providers][relay][responses][streaming]") {
  using tollgate::providers::SseEvent;
  for (const char* terminal : {"response.completed", "response.incomplete"}) {
    INFO(terminal);
    auto relay = tollgate::providers::make_stream_relay(Api::openai_responses, Api::openai_responses, {});
    const SseEvent created{"response.created", R"({"type":"response.created","response":{"usage":null}})"};
    CHECK(relay->on_event(created) == "event: response.created\ndata: " + created.data + "\n\n");
    CHECK_FALSE(relay->finished());
    relay->on_event({"response.output_text.delta", R"({"type":"response.output_text.delta","delta":"hi"})"});
    CHECK_FALSE(relay->usage_found());
    const SseEvent done{terminal, std::string(R"({"type":")") + terminal +
                                      R"(","response":{"usage":{"input_tokens":7,"input_tokens_details":)"
                                      R"({"cached_tokens":2},"output_tokens":3,"output_tokens_details":)"
                                      R"({"reasoning_tokens":0},"total_tokens":10}}})"};
    CHECK(relay->on_event(done) == "event: " + std::string(terminal) + "\ndata: " + done.data + "\n\n");
    CHECK(relay->finished());
    REQUIRE(relay->usage_found());
    CHECK(relay->usage().prompt_tokens == 7);
    CHECK(relay->usage().cached_prompt_tokens == 2);
    CHECK(relay->usage().completion_tokens == 3);
  }
  SECTION("a server that sends no event names: the data's type tells the terminal event") {
    auto relay = tollgate::providers::make_stream_relay(Api::openai_responses, Api::openai_responses, {});
    relay->on_event({"", R"({"type":"response.output_text.delta","delta":"response.completed"})"});
    CHECK_FALSE(relay->finished());
    const SseEvent done{"", R"({"type":"response.completed","response":{"usage":{"input_tokens":4,)"
                            R"("output_tokens":5,"output_tokens_details":{"reasoning_tokens":1}}}})"};
    CHECK(relay->on_event(done) == "data: " + done.data + "\n\n");
    CHECK(relay->finished());
    CHECK(relay->usage().total() == 9);
  }
  auto relay = tollgate::providers::make_stream_relay(Api::openai_responses, Api::openai_responses, {});
  const auto tail = relay->error_tail("upstream \"reset\"");
  CHECK(tail ==
        "event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_error\",\"message\":\"upstream "
        "\\\"reset\\\"\",\"param\":null}\n\n");
}

TEST_CASE("Anthropic's web searches are read from usage.server_tool_use, whole or streamed",
          "[providers][relay][web_search]") {
  using tollgate::providers::SseEvent;
  const std::string body =
      R"({"id":"msg_1","type":"message","content":[],"usage":{"input_tokens":10,"output_tokens":5,)"
      R"("server_tool_use":{"web_search_requests":3}}})";
  auto whole = finish_response(Api::anthropic_messages, Api::anthropic_messages, body, "claude");
  REQUIRE(whole);
  CHECK(whole.value().usage.web_search_requests == 3);

  const SseEvent start{"message_start",
                       R"({"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}})"};
  const SseEvent search{"content_block_start",
                        R"({"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use",)"
                        R"("id":"srvtoolu_1","name":"web_search","input":{}}})"};
  const SseEvent delta{"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},)"
                                        R"("usage":{"output_tokens":5,"server_tool_use":{"web_search_requests":2}}})"};
  tollgate::providers::StreamOptions options;
  options.web_searches_bound = 2;
  {
    auto relay = tollgate::providers::make_stream_relay(Api::anthropic_messages, Api::anthropic_messages, options);
    relay->on_event(start);
    for (int i = 0; i < 3; ++i) relay->on_event(search);
    relay->on_event(delta);
    CHECK(relay->usage().web_search_requests == 2);  // the provider's count wins once it reports one
    CHECK(relay->usage().completion_tokens == 5);
  }
  {  // cut before message_delta: the searches it showed, at most the request's bound
    auto relay = tollgate::providers::make_stream_relay(Api::anthropic_messages, Api::anthropic_messages, options);
    relay->on_event(start);
    relay->on_event(search);
    CHECK(relay->usage().web_search_requests == 1);
    relay->on_event(search);
    relay->on_event(search);
    CHECK(relay->usage().web_search_requests == 2);
  }
}

TEST_CASE("a cut Anthropic stream is charged the samplings its server tool calls evidence",
          "[providers][relay][server_tools][cut_stream]") {
  using tollgate::providers::SseEvent;
  const SseEvent start{"message_start",
                       R"({"type":"message_start","message":{"usage":{"input_tokens":1000,"output_tokens":1}}})"};
  const SseEvent search{"content_block_start",
                        R"({"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use",)"
                        R"("id":"srvtoolu_1","name":"web_search","input":{}}})"};
  const SseEvent fetch{"content_block_start",
                       R"({"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use",)"
                       R"("id":"srvtoolu_2","name":"web_fetch","input":{}}})"};
  const SseEvent mcp{"content_block_start", R"({"type":"content_block_start","index":2,"content_block":)"
                                            R"({"type":"mcp_tool_use","id":"mcptoolu_1","name":"f","input":{}}})"};
  const SseEvent text{"content_block_start",
                      R"({"type":"content_block_start","index":3,"content_block":{"type":"text","text":""}})"};
  const SseEvent totals{"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},)"
                                         R"("usage":{"input_tokens":21000,"output_tokens":5,)"
                                         R"("server_tool_use":{"web_search_requests":1}}})"};
  tollgate::providers::StreamOptions options;
  options.web_searches_bound = 5;
  options.prompt_tokens_bound = 100'000;
  const auto relay_of = [&](std::initializer_list<const SseEvent*> events) {
    auto relay = tollgate::providers::make_stream_relay(Api::anthropic_messages, Api::anthropic_messages, options);
    for (const auto* event : events) relay->on_event(*event);
    return relay->usage();
  };
  // Cut after a search: it and the sampling after it (was 1000: message_start's only).
  CHECK(relay_of({&start, &search}).prompt_tokens == 2000);
  CHECK(relay_of({&start, &search}).web_search_requests == 1);
  // Every server tool call counts a sampling, a web fetch's or the MCP connector's too; text does not.
  const auto three = relay_of({&start, &search, &fetch, &mcp, &text});
  CHECK(three.prompt_tokens == 4000);
  CHECK(three.web_search_requests == 1);
  CHECK(relay_of({&start, &text}).prompt_tokens == 1000);
  // message_delta's input is every sampling's: the truth, once reported.
  CHECK(relay_of({&start, &search, &fetch, &mcp, &totals}).prompt_tokens == 21000);
  // At most the reservation's input.
  options.prompt_tokens_bound = 2500;
  CHECK(relay_of({&start, &search, &fetch, &mcp}).prompt_tokens == 2500);
}
