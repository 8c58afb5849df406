// Anthropic streaming events → OpenAI chat.completion.chunk events.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "providers/anthropic_stream.h"
#include "tests/unit/providers/translation_test_support.h"

using tollgate::core::Usage;
using tollgate::providers::AnthropicToOpenAIStream;
using tollgate::providers::SseEvent;
using tollgate::testing::anthropic_event;
using tollgate::testing::check_events;
using tollgate::testing::OutEvent;
using tollgate::testing::raw_stream;
using tollgate::testing::translate_pieces;

namespace {

constexpr std::int64_t kCreated = 1700000000;

// The expected chunk around a delta object.
OutEvent chunk(const std::string& delta, const std::string& finish_reason = "") {
  return {"", R"({"id":"msg_01","object":"chat.completion.chunk","created":1700000000,"model":"claude-group",
                  "choices":[{"index":0,"delta":)" +
                  delta + R"(,"logprobs":null,"finish_reason":)" +
                  (finish_reason.empty() ? "null" : "\"" + finish_reason + "\"") + "}]}"};
}

OutEvent usage_chunk(const std::string& usage) {
  return {"", R"({"id":"msg_01","object":"chat.completion.chunk","created":1700000000,"model":"claude-group",
                  "choices":[],"usage":)" +
                  usage + "}"};
}

const OutEvent kRole = chunk(R"({"role":"assistant","content":""})");
const OutEvent kDone{"", "[DONE]"};

SseEvent message_start(const std::string& usage) {
  return anthropic_event("message_start",
                         R"({"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant",
      "content":[],"model":"claude-3-5-sonnet-20241022","stop_reason":null,"stop_sequence":null,"usage":)" +
                             usage + "}}");
}
SseEvent text_start(int index) {
  return anthropic_event("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(index) +
                                                    R"(,"content_block":{"type":"text","text":""}})");
}
SseEvent text_delta(int index, const std::string& text_json) {
  return anthropic_event("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(index) +
                                                    R"(,"delta":{"type":"text_delta","text":)" + text_json + "}}");
}
SseEvent tool_start(int index, const std::string& id, const std::string& name) {
  return anthropic_event("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(index) +
                                                    R"(,"content_block":{"type":"tool_use","id":")" + id +
                                                    R"(","name":")" + name + R"(","input":{}}})");
}
SseEvent json_delta(int index, const std::string& partial_json) {
  return anthropic_event("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(index) +
                                                    R"(,"delta":{"type":"input_json_delta","partial_json":)" +
                                                    partial_json + "}}");
}
SseEvent block_stop(int index) {
  return anthropic_event("content_block_stop",
                         R"({"type":"content_block_stop","index":)" + std::to_string(index) + "}");
}
SseEvent message_delta(const std::string& stop_reason, const std::string& usage) {
  return anthropic_event("message_delta", R"({"type":"message_delta","delta":{"stop_reason":")" + stop_reason +
                                              R"(","stop_sequence":null},"usage":)" + usage + "}");
}
const SseEvent kPing = anthropic_event("ping", R"({"type": "ping"})");
const SseEvent kMessageStop = anthropic_event("message_stop", R"({"type":"message_stop"})");

struct Scenario {
  const char* name;
  bool include_usage;
  std::vector<SseEvent> events;
  std::vector<OutEvent> expected;
  Usage usage;
};

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> table = {
      {"a text answer with usage",
       true,
       {message_start(R"({"input_tokens":25,"output_tokens":1})"), text_start(0), kPing, text_delta(0, R"("Hello")"),
        text_delta(0, R"(" w\u00f6rld \u65e5\u672c \"q\"\n")"), block_stop(0),
        message_delta("end_turn", R"({"output_tokens":15})"), kMessageStop},
       {kRole, chunk(R"({"content":"Hello"})"), chunk(R"({"content":" wörld 日本 \"q\"\n"})"), chunk("{}", "stop"),
        usage_chunk(R"({"prompt_tokens":25,"completion_tokens":15,"total_tokens":40})"), kDone},
       {25, 15, 0}},
      {"without include_usage there is no usage chunk",
       false,
       {message_start(R"({"input_tokens":25,"output_tokens":1})"), text_start(0), text_delta(0, R"("Hi")"),
        block_stop(0), message_delta("max_tokens", R"({"output_tokens":1})"), kMessageStop},
       {kRole, chunk(R"({"content":"Hi"})"), chunk("{}", "length"), kDone},
       {25, 1, 0}},
      {"text then two tool calls, with cache tokens",
       true,
       {message_start(
            R"({"input_tokens":100,"cache_read_input_tokens":50,"cache_creation_input_tokens":10,"output_tokens":1})"),
        text_start(0), text_delta(0, R"("Let me check.")"), block_stop(0), tool_start(1, "toolu_01", "get_weather"),
        json_delta(1, R"("")"), json_delta(1, R"("{\"city\": \"Par")"), json_delta(1, R"("is\"}")"), block_stop(1),
        tool_start(2, "toolu_02", "get_time"), json_delta(2, R"("{}")"), block_stop(2),
        message_delta("tool_use", R"({"output_tokens":40})"), kMessageStop},
       {kRole, chunk(R"({"content":"Let me check."})"),
        chunk(
            R"({"tool_calls":[{"index":0,"id":"toolu_01","type":"function","function":{"name":"get_weather","arguments":""}}]})"),
        chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Par"}}]})"),
        chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"is\"}"}}]})"),
        chunk(
            R"({"tool_calls":[{"index":1,"id":"toolu_02","type":"function","function":{"name":"get_time","arguments":""}}]})"),
        chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]})"), chunk("{}", "tool_calls"),
        usage_chunk(
            R"({"prompt_tokens":160,"completion_tokens":40,"total_tokens":200,"prompt_tokens_details":{"cached_tokens":50}})"),
        kDone},
       {160, 40, 50}},
      {"stop_sequence → stop; message_delta may update cumulative input counts",
       true,
       {message_start(R"({"input_tokens":10,"output_tokens":1})"), text_start(0), text_delta(0, R"("a")"),
        block_stop(0),
        message_delta("stop_sequence", R"({"input_tokens":12,"cache_read_input_tokens":3,"output_tokens":4})"),
        kMessageStop},
       {kRole, chunk(R"({"content":"a"})"), chunk("{}", "stop"),
        usage_chunk(
            R"({"prompt_tokens":15,"completion_tokens":4,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":3}})"),
        kDone},
       {15, 4, 3}},
      {"thinking → reasoning_content; signatures are dropped",
       false,
       {message_start(R"({"input_tokens":5,"output_tokens":1})"),
        anthropic_event(
            "content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"),
        anthropic_event(
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}})"),
        anthropic_event(
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}})"),
        block_stop(0), text_start(1), text_delta(1, R"("42")"), block_stop(1),
        message_delta("end_turn", R"({"output_tokens":9})"), kMessageStop},
       {kRole, chunk(R"({"reasoning_content":"Let me think"})"), chunk(R"({"content":"42"})"), chunk("{}", "stop"),
        kDone},
       {5, 9, 0}},
      {"an error event ends the stream with an OpenAI error chunk; later events are ignored",
       true,
       {message_start(R"({"input_tokens":5,"output_tokens":1})"), text_start(0), text_delta(0, R"("Hi")"),
        anthropic_event("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
        text_delta(0, R"("more")"), kMessageStop},
       {kRole,
        chunk(R"({"content":"Hi"})"),
        {"", R"({"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}})"},
        kDone},
       {5, 1, 0}},
      {"an event that is not JSON ends the stream with an error",
       false,
       {message_start(R"({"input_tokens":5,"output_tokens":1})"), anthropic_event("content_block_delta", "{not json"),
        kMessageStop},
       {kRole,
        {"",
         R"({"error":{"message":"the Anthropic upstream sent a stream event that is not JSON","type":"api_error","param":null,"code":null}})"},
        kDone},
       {5, 1, 0}},
      {"message_stop without a stop reason still finishes the choice",
       false,
       {message_start(R"({"input_tokens":5,"output_tokens":1})"), text_start(0), text_delta(0, R"("x")"), kMessageStop},
       {kRole, chunk(R"({"content":"x"})"), chunk("{}", "stop"), kDone},
       {5, 1, 0}},
      {"a text block that starts with text; empty deltas send nothing; unknown events are ignored",
       false,
       {message_start(R"({"input_tokens":5,"output_tokens":1})"),
        anthropic_event("content_block_start",
                        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Pre"}})"),
        text_delta(0, R"("")"), anthropic_event("brand_new_event", R"({"type":"brand_new_event"})"), block_stop(0),
        message_delta("end_turn", R"({"output_tokens":2})"), kMessageStop},
       {kRole, chunk(R"({"content":"Pre"})"), chunk("{}", "stop"), kDone},
       {5, 2, 0}},
  };
  return table;
}

std::string run_events(const Scenario& s, const std::vector<SseEvent>& events) {
  AnthropicToOpenAIStream stream("claude-group", s.include_usage, kCreated);
  std::string out;
  for (const auto& e : events) out += stream.on_event(e);
  return out;
}

}  // namespace

TEST_CASE("Anthropic → OpenAI stream: event by event", "[providers][anthropic][stream]") {
  for (const auto& s : scenarios()) {
    INFO(s.name);
    AnthropicToOpenAIStream stream("claude-group", s.include_usage, kCreated);
    std::string out;
    for (const auto& e : s.events) out += stream.on_event(e);
    check_events(out, s.expected);
    CHECK(stream.finished());
    CHECK(stream.usage().prompt_tokens == s.usage.prompt_tokens);
    CHECK(stream.usage().completion_tokens == s.usage.completion_tokens);
    CHECK(stream.usage().cached_prompt_tokens == s.usage.cached_prompt_tokens);
    CHECK(stream.on_event(kMessageStop).empty());  // nothing after the end
  }
}

TEST_CASE("Anthropic → OpenAI stream: the type may come from the data alone", "[providers][anthropic][stream]") {
  for (const auto& s : scenarios()) {
    INFO(s.name);
    std::vector<SseEvent> unnamed = s.events;
    for (auto& e : unnamed) e.event.clear();
    CHECK(run_events(s, unnamed) == run_events(s, s.events));
  }
}

TEST_CASE("Anthropic → OpenAI stream: ping and block stops produce nothing", "[providers][anthropic][stream]") {
  AnthropicToOpenAIStream stream("g", true, kCreated);
  CHECK(stream.on_event(kPing).empty());
  CHECK(stream.on_event(block_stop(0)).empty());
  CHECK_FALSE(stream.finished());
}

TEST_CASE("Anthropic → OpenAI stream: raw bytes cut at every offset give the same output",
          "[providers][anthropic][stream]") {
  for (const auto& s : scenarios()) {
    const std::string reference = run_events(s, s.events);
    for (const char* newline : {"\n", "\r\n", "\r"}) {
      const std::string raw = raw_stream(s.events, newline);
      INFO(s.name << " with newline " << (newline[0] == '\n' ? "LF" : newline[1] ? "CRLF" : "CR"));
      auto translate_all = [&](const std::vector<std::size_t>& cuts) {
        AnthropicToOpenAIStream stream("claude-group", s.include_usage, kCreated);
        return translate_pieces(raw, cuts, [&](const SseEvent& e) { return stream.on_event(e); });
      };
      CHECK(translate_all({}) == reference);
      std::size_t mismatches = 0;
      for (std::size_t cut = 0; cut <= raw.size(); ++cut) {
        if (translate_all({cut}) != reference) ++mismatches;
        if (cut + 1 <= raw.size() && translate_all({cut, cut + 1}) != reference) ++mismatches;
        if (cut + 2 <= raw.size() && translate_all({cut, cut + 2}) != reference) ++mismatches;
      }
      CHECK(mismatches == 0);
      std::vector<std::size_t> every_byte;
      for (std::size_t i = 1; i < raw.size(); ++i) every_byte.push_back(i);
      CHECK(translate_all(every_byte) == reference);
    }
  }
}
