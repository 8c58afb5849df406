// The Anthropic Messages API in front of OpenAI-compatible deployments: request, response,
// stream and error body.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "providers/openai_from_anthropic_request.h"
#include "tests/unit/providers/translation_test_support.h"

using tollgate::core::Usage;
using tollgate::providers::anthropic_error_body;
using tollgate::providers::anthropic_response_from_openai;
using tollgate::providers::openai_chat_request_from_anthropic;
using tollgate::providers::OpenAIToAnthropicStream;
using tollgate::providers::SseEvent;
using tollgate::testing::check_events;
using tollgate::testing::EqualsJson;
using tollgate::testing::OutEvent;
using tollgate::testing::parse_json;
using tollgate::testing::translate_pieces;

namespace {

struct Row {
  const char* name;
  std::string anthropic;
  std::string openai;
};

std::string translate_request(const std::string& anthropic) {
  const auto request = parse_json(anthropic);
  REQUIRE_FALSE(request.HasParseError());
  const auto t = openai_chat_request_from_anthropic(request, "gpt-up");
  INFO("error: " << (t ? std::string() : t.error().message));
  REQUIRE(t.ok());
  return *t;
}

}  // namespace

// ---- requests

TEST_CASE("Anthropic → OpenAI request: messages, system and parameters", "[providers][anthropic][reverse]") {
  const std::vector<Row> rows = {
      {"a string message; max_tokens; model is the upstream's",
       R"({"model":"gpt","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]})"},
      {"a system string becomes the first message",
       R"({"max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]})"},
      {"system text blocks are joined; cache_control is dropped",
       R"({"max_tokens":100,"system":[{"type":"text","text":"One."},{"type":"text","text":"Two.","cache_control":{"type":"ephemeral"}}],
           "messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"system","content":"One.\nTwo."},{"role":"user","content":"Hi"}]})"},
      {"an empty system adds nothing", R"({"max_tokens":100,"system":"","messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]})"},
      {"temperature, top_p, stop_sequences → stop, metadata.user_id → user; top_k and thinking are dropped",
       R"({"max_tokens":100,"temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END","\n\nHuman:"],
           "metadata":{"user_id":"u-1"},"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"gpt-up","max_tokens":100,"temperature":0.5,"top_p":0.9,"stop":["END","\n\nHuman:"],"user":"u-1",
           "messages":[{"role":"user","content":"Hi"}]})"},
      {"stream asks for usage in the stream",
       R"({"max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"gpt-up","max_tokens":100,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]})"},
      {"stream false and empty stop_sequences add nothing",
       R"({"max_tokens":100,"stream":false,"stop_sequences":[],"messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]})"},
      {"text blocks become text parts; a conversation keeps its turns",
       R"({"max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
           {"role":"assistant","content":"c"},{"role":"user","content":"d"}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
           {"role":"assistant","content":"c"},{"role":"user","content":"d"}]})"},
      {"a base64 image becomes a data URL; a url image stays a URL",
       R"({"max_tokens":100,"messages":[{"role":"user","content":[
           {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
           {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},{"type":"text","text":"Compare"}]}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":[
           {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
           {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},{"type":"text","text":"Compare"}]}]})"},
      {"a PDF document becomes a file part; a text document becomes text",
       R"({"max_tokens":100,"messages":[{"role":"user","content":[
           {"type":"document","title":"a.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},
           {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain words"}}]}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":[
           {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0x","filename":"a.pdf"}},
           {"type":"text","text":"plain words"}]}]})"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK_THAT(translate_request(row.anthropic), EqualsJson(row.openai));
  }
}

TEST_CASE("Anthropic → OpenAI request: tool use and tool results", "[providers][anthropic][reverse]") {
  const std::vector<Row> rows = {
      {"tool_use → tool_calls with the input serialized; tool_result → a tool message",
       R"({"max_tokens":100,"messages":[{"role":"user","content":"Weather?"},
           {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"}]}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":"Weather?"},
           {"role":"assistant","content":"Checking.","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
           {"role":"tool","tool_call_id":"toolu_1","content":"18C"}]})"},
      {"only tool_use → null content; thinking blocks are dropped",
       R"({"max_tokens":100,"messages":[{"role":"user","content":"go"},
           {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"tool_use","id":"a","name":"f","input":{}},{"type":"tool_use","id":"b","name":"g","input":{"n":[1,2]}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]},
                                     {"type":"tool_result","tool_use_id":"b","content":"x","is_error":true},{"type":"text","text":"and now?"}]}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":"go"},
           {"role":"assistant","content":null,"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},
                                                           {"id":"b","type":"function","function":{"name":"g","arguments":"{\"n\":[1,2]}"}}]},
           {"role":"tool","tool_call_id":"a","content":"one\ntwo"},{"role":"tool","tool_call_id":"b","content":"x"},
           {"role":"user","content":[{"type":"text","text":"and now?"}]}]})"},
      {"a tool_result without content is an empty tool message",
       R"({"max_tokens":100,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a"}]}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"tool","tool_call_id":"a","content":""}]})"},
      {"blocks with missing strings read as empty",
       R"({"max_tokens":100,"messages":[{"role":"user","content":[{"type":"text"}]},{"role":"assistant","content":[{"type":"text"}]}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":""}]},{"role":"assistant","content":""}]})"},
      {"an assistant with empty content",
       R"({"max_tokens":100,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[]}]})",
       R"({"model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":""}]})"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK_THAT(translate_request(row.anthropic), EqualsJson(row.openai));
  }
}

TEST_CASE("Anthropic → OpenAI request: tools and tool_choice", "[providers][anthropic][reverse]") {
  const std::string base = R"("max_tokens":100,"messages":[{"role":"user","content":"Hi"}])";
  const std::string base_out = R"("model":"gpt-up","max_tokens":100,"messages":[{"role":"user","content":"Hi"}])";
  const std::string tools =
      R"("tools":[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}}},"cache_control":{"type":"ephemeral"}},
                  {"type":"custom","name":"noop"}])";
  const std::string tools_out =
      R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                  {"type":"function","function":{"name":"noop","parameters":{"type":"object","properties":{}}}}])";
  const std::vector<Row> rows = {
      {"tools → function tools", tools, tools_out},
      {"auto", tools + R"(,"tool_choice":{"type":"auto"})", tools_out + R"(,"tool_choice":"auto")"},
      {"any → required", tools + R"(,"tool_choice":{"type":"any"})", tools_out + R"(,"tool_choice":"required")"},
      {"none", tools + R"(,"tool_choice":{"type":"none"})", tools_out + R"(,"tool_choice":"none")"},
      {"tool → a function choice", tools + R"(,"tool_choice":{"type":"tool","name":"get_weather"})",
       tools_out + R"(,"tool_choice":{"type":"function","function":{"name":"get_weather"}})"},
      {"disable_parallel_tool_use → parallel_tool_calls false",
       tools + R"(,"tool_choice":{"type":"any","disable_parallel_tool_use":true})",
       tools_out + R"(,"tool_choice":"required","parallel_tool_calls":false)"},
      {"a tool_choice without tools is dropped", R"("tool_choice":{"type":"any"})", ""},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const std::string request = "{" + base + "," + row.anthropic + "}";
    const std::string expected = "{" + base_out + (row.openai.empty() ? "" : "," + row.openai) + "}";
    CHECK_THAT(translate_request(request), EqualsJson(expected));
  }
}

TEST_CASE("Anthropic → OpenAI request: errors", "[providers][anthropic][reverse]") {
  struct ErrorRow {
    const char* name;
    const char* anthropic;
    const char* message_part;
  };
  const std::vector<ErrorRow> rows = {
      {"not an object", "[]", "JSON object"},
      {"no messages", R"({"max_tokens":1})", "'messages'"},
      {"a system role in messages", R"({"messages":[{"role":"system","content":"x"}]})", "'system'"},
      {"a message without content", R"({"messages":[{"role":"user"}]})", "content"},
      {"content of the wrong type", R"({"messages":[{"role":"user","content":7}]})", "content"},
      {"assistant content of the wrong type", R"({"messages":[{"role":"assistant","content":{}}]})", "content"},
      {"an unknown block", R"({"messages":[{"role":"user","content":[{"type":"search_result","source":"x"}]}]})",
       "'search_result'"},
      {"an image with a file source",
       R"({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]})",
       "image"},
      {"a document by URL",
       R"({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://x/a.pdf"}}]}]})",
       "document"},
      {"a tool_result without tool_use_id",
       R"({"messages":[{"role":"user","content":[{"type":"tool_result","content":"x"}]}]})", "tool_use_id"},
      {"a tool_use without id",
       R"({"messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]})", "id"},
      {"system of the wrong type", R"({"system":5,"messages":[]})", "'system'"},
      {"max_tokens not positive", R"({"max_tokens":-1,"messages":[]})", "'max_tokens'"},
      {"temperature not a number", R"({"temperature":"warm","messages":[]})", "'temperature'"},
      {"stop_sequences not strings", R"({"stop_sequences":[1],"messages":[]})", "'stop_sequences'"},
      {"stream not a boolean", R"({"stream":1,"messages":[]})", "'stream'"},
      {"a server tool", R"({"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[]})",
       "'web_search_20250305'"},
      {"a tool without a name", R"({"tools":[{"input_schema":{"type":"object"}}],"messages":[]})", "name"},
      {"tool_choice of an unknown type", R"({"tools":[{"name":"f"}],"tool_choice":{"type":"maybe"},"messages":[]})",
       "tool_choice"},
      {"tool_choice tool without a name", R"({"tools":[{"name":"f"}],"tool_choice":{"type":"tool"},"messages":[]})",
       "tool_choice"},
      {"tool_choice as a string", R"({"tools":[{"name":"f"}],"tool_choice":"auto","messages":[]})", "tool_choice"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto request = parse_json(row.anthropic);
    REQUIRE_FALSE(request.HasParseError());
    const auto t = openai_chat_request_from_anthropic(request, "gpt-up");
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().status == 400);
    CHECK_THAT(t.error().message, Catch::Contains(row.message_part));
  }
}

// ---- responses

namespace {

std::string message(const std::string& content, const std::string& stop_reason, const std::string& usage,
                    const std::string& id = "msg_chatcmpl-1") {
  return R"({"id":")" + id + R"(","type":"message","role":"assistant","model":"claude-group","content":)" + content +
         R"(,"stop_reason":")" + stop_reason + R"(","stop_sequence":null,"usage":)" + usage + "}";
}

std::string completion(const std::string& message_json, const std::string& finish_reason, const std::string& usage) {
  return R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":)" +
         message_json + R"(,"logprobs":null,"finish_reason":")" + finish_reason + R"("}],"usage":)" + usage + "}";
}

}  // namespace

TEST_CASE("OpenAI → Anthropic response: table", "[providers][anthropic][reverse]") {
  const std::string usage = R"({"prompt_tokens":10,"completion_tokens":5,"total_tokens":15})";
  const std::string usage_out = R"({"input_tokens":10,"output_tokens":5})";
  struct ResponseRow {
    const char* name;
    std::string openai;
    std::string anthropic;
    Usage usage;
  };
  const std::vector<ResponseRow> rows = {
      {"text → a text block; stop → end_turn",
       completion(R"({"role":"assistant","content":"Hello!"})", "stop", usage),
       message(R"([{"type":"text","text":"Hello!"}])", "end_turn", usage_out),
       {10, 5, 0}},
      {"length → max_tokens",
       completion(R"({"role":"assistant","content":"Hel"})", "length", usage),
       message(R"([{"type":"text","text":"Hel"}])", "max_tokens", usage_out),
       {10, 5, 0}},
      {"content_filter → refusal",
       completion(R"({"role":"assistant","content":null,"refusal":"I can't."})", "content_filter", usage),
       message(R"([{"type":"text","text":"I can't."}])", "refusal", usage_out),
       {10, 5, 0}},
      {"tool_calls → tool_use blocks with parsed input",
       completion(R"({"role":"assistant","content":null,"tool_calls":[
           {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
           {"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]})",
                  "tool_calls", usage),
       message(R"([{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
                   {"type":"tool_use","id":"call_2","name":"now","input":{}}])",
               "tool_use", usage_out),
       {10, 5, 0}},
      {"text and a tool call; truncated arguments become {}",
       completion(
           R"({"role":"assistant","content":"Sure.","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]})",
           "length", usage),
       message(R"([{"type":"text","text":"Sure."},{"type":"tool_use","id":"c","name":"f","input":{}}])", "max_tokens",
               usage_out),
       {10, 5, 0}},
      {"cached tokens → cache_read_input_tokens, outside input_tokens",
       completion(
           R"({"role":"assistant","content":"a"})", "stop",
           R"({"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_tokens_details":{"cached_tokens":60}})"),
       message(R"([{"type":"text","text":"a"}])", "end_turn",
               R"({"input_tokens":40,"output_tokens":5,"cache_read_input_tokens":60})"),
       {100, 5, 60}},
      {"an empty answer is one empty text block; no usage → zeros",
       R"({"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"}]})",
       message(R"([{"type":"text","text":""}])", "end_turn", R"({"input_tokens":0,"output_tokens":0})"),
       {0, 0, 0}},
      {"content given as text parts; an id without one",
       R"({"choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"stop"}],"usage":)" +
           usage + "}",
       message(R"([{"type":"text","text":"ab"}])", "end_turn", usage_out, "msg_gateway"),
       {10, 5, 0}},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Usage got{-1, -1, -1};
    const auto t = anthropic_response_from_openai(row.openai, "claude-group", got);
    INFO("error: " << (t ? std::string() : t.error().message));
    REQUIRE(t.ok());
    CHECK_THAT(*t, EqualsJson(row.anthropic));
    CHECK(got.prompt_tokens == row.usage.prompt_tokens);
    CHECK(got.completion_tokens == row.usage.completion_tokens);
    CHECK(got.cached_prompt_tokens == row.usage.cached_prompt_tokens);
  }
}

TEST_CASE("OpenAI → Anthropic response: errors", "[providers][anthropic][reverse]") {
  struct ErrorRow {
    const char* name;
    const char* body;
    const char* message_part;
  };
  const std::vector<ErrorRow> rows = {
      {"not JSON", "{", "not a JSON object"},
      {"not an object", "\"x\"", "not a JSON object"},
      {"an error body", R"({"error":{"message":"Rate limit reached","type":"requests"}})", "Rate limit reached"},
      {"no choices", R"({"id":"x","choices":[]})", "no choices"},
      {"choices not an array", R"({"id":"x","choices":{}})", "no choices"},
      {"no message", R"({"id":"x","choices":[{"index":0,"finish_reason":"stop"}]})", "no message"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Usage got{1, 1, 1};
    const auto t = anthropic_response_from_openai(row.body, "m", got);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().status == 502);
    CHECK_THAT(t.error().message, Catch::Contains(row.message_part));
    CHECK(got.total() == 0);
  }
}

// ---- streams

namespace {

std::string openai_chunk(const std::string& delta, const std::string& finish_reason = "") {
  return tollgate::testing::minify(
      R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","system_fingerprint":"fp",
             "choices":[{"index":0,"delta":)" +
      delta + R"(,"logprobs":null,"finish_reason":)" + (finish_reason.empty() ? "null" : "\"" + finish_reason + "\"") +
      "}]}");
}

std::string openai_usage_chunk(const std::string& usage) {
  return R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":)" +
         usage + "}";
}

OutEvent ev(const char* type, const std::string& data) { return {type, data}; }

OutEvent message_start(std::int64_t input_tokens, const std::string& id = "msg_chatcmpl-9") {
  return ev("message_start", R"({"type":"message_start","message":{"id":")" + id +
                                 R"(","type":"message","role":"assistant",
      "model":"claude-group","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":)" +
                                 std::to_string(input_tokens) + R"(,"output_tokens":0}}})");
}
OutEvent text_start(int index) {
  return ev("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(index) +
                                       R"(,"content_block":{"type":"text","text":""}})");
}
OutEvent text_delta(int index, const std::string& text_json) {
  return ev("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(index) +
                                       R"(,"delta":{"type":"text_delta","text":)" + text_json + "}}");
}
OutEvent tool_start(int index, const std::string& id, const std::string& name) {
  return ev("content_block_start", R"({"type":"content_block_start","index":)" + std::to_string(index) +
                                       R"(,"content_block":{"type":"tool_use","id":")" + id + R"(","name":")" + name +
                                       R"(","input":{}}})");
}
OutEvent json_delta(int index, const std::string& partial_json) {
  return ev("content_block_delta", R"({"type":"content_block_delta","index":)" + std::to_string(index) +
                                       R"(,"delta":{"type":"input_json_delta","partial_json":)" + partial_json + "}}");
}
OutEvent block_stop(int index) {
  return ev("content_block_stop", R"({"type":"content_block_stop","index":)" + std::to_string(index) + "}");
}
OutEvent message_delta(const std::string& stop_reason, const std::string& usage) {
  return ev("message_delta", R"({"type":"message_delta","delta":{"stop_reason":")" + stop_reason +
                                 R"(","stop_sequence":null},"usage":)" + usage + "}");
}
const OutEvent kMessageStop{"message_stop", R"({"type":"message_stop"})"};

struct StreamScenario {
  const char* name;
  std::int64_t input_estimate;
  std::vector<std::string> payloads;  // data: payloads as the upstream sends them
  std::vector<OutEvent> expected;
  Usage usage;
};

const std::vector<StreamScenario>& stream_scenarios() {
  static const std::vector<StreamScenario> table = {
      {"text with a usage chunk",
       7,
       {openai_chunk(R"({"role":"assistant","content":""})"), openai_chunk(R"({"content":"Hel"})"),
        openai_chunk(R"({"content":"lo w\u00f6rld \u65e5\n"})"), openai_chunk("{}", "stop"),
        openai_usage_chunk(R"({"prompt_tokens":12,"completion_tokens":3,"total_tokens":15})"), "[DONE]"},
       {message_start(7), text_start(0), text_delta(0, R"("Hel")"), text_delta(0, R"("lo wörld 日\n")"), block_stop(0),
        message_delta("end_turn", R"({"input_tokens":12,"output_tokens":3})"), kMessageStop},
       {12, 3, 0}},
      {"text then two tool calls; length → max_tokens; cached tokens",
       0,
       {openai_chunk(R"({"role":"assistant","content":"Checking."})"),
        openai_chunk(
            R"({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]})"),
        openai_chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]})"),
        openai_chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]})"),
        openai_chunk(
            R"({"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"now","arguments":"{}"}}]})"),
        openai_chunk("{}", "tool_calls"),
        openai_usage_chunk(
            R"({"prompt_tokens":50,"completion_tokens":20,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":30}})"),
        "[DONE]"},
       {message_start(0), text_start(0), text_delta(0, R"("Checking.")"), block_stop(0),
        tool_start(1, "call_a", "get_weather"), json_delta(1, R"("{\"city\":")"), json_delta(1, R"("\"Paris\"}")"),
        block_stop(1), tool_start(2, "call_b", "now"), json_delta(2, R"("{}")"), block_stop(2),
        message_delta("tool_use", R"({"input_tokens":20,"output_tokens":20,"cache_read_input_tokens":30})"),
        kMessageStop},
       {50, 20, 30}},
      {"length without a usage chunk keeps the estimate",
       9,
       {openai_chunk(R"({"role":"assistant","content":"a"})"), openai_chunk(R"({"content":"b"})", "length"), "[DONE]"},
       {message_start(9), text_start(0), text_delta(0, R"("a")"), text_delta(0, R"("b")"), block_stop(0),
        message_delta("max_tokens", R"({"input_tokens":9,"output_tokens":0})"), kMessageStop},
       {9, 0, 0}},
      {"text after a tool call opens a new block",
       0,
       {openai_chunk(
            R"({"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]})"),
        openai_chunk(R"({"content":"done"})", "stop"), "[DONE]"},
       {message_start(0), tool_start(0, "c", "f"), json_delta(0, R"("{}")"), block_stop(0), text_start(1),
        text_delta(1, R"("done")"), block_stop(1), message_delta("end_turn", R"({"input_tokens":0,"output_tokens":0})"),
        kMessageStop},
       {0, 0, 0}},
      {"[DONE] alone still makes a whole message",
       3,
       {"[DONE]"},
       {message_start(3, "msg_gateway"), message_delta("end_turn", R"({"input_tokens":3,"output_tokens":0})"),
        kMessageStop},
       {3, 0, 0}},
      {"an error chunk ends the stream with an error event",
       0,
       {openai_chunk(R"({"content":"Hi"})"), R"({"error":{"message":"server overloaded","type":"server_error"}})",
        openai_chunk(R"({"content":"ignored"})"), "[DONE]"},
       {message_start(0), text_start(0), text_delta(0, R"("Hi")"),
        ev("error", R"({"type":"error","error":{"type":"api_error","message":"server overloaded"}})")},
       {0, 0, 0}},
      {"a chunk that is not JSON ends the stream with an error event",
       0,
       {"{oops", "[DONE]"},
       {ev("error",
           R"({"type":"error","error":{"type":"api_error","message":"the upstream sent a stream chunk that is not JSON"}})")},
       {0, 0, 0}},
  };
  return table;
}

std::string run_payloads(const StreamScenario& s) {
  OpenAIToAnthropicStream stream("claude-group", s.input_estimate);
  std::string out;
  for (const auto& p : s.payloads) out += stream.on_data(p);
  return out;
}

std::string raw_openai_stream(const std::vector<std::string>& payloads, std::string_view newline) {
  std::string raw;
  for (const auto& p : payloads) {
    REQUIRE(p.find_first_of("\r\n") == std::string::npos);
    raw += "data: ";
    raw += p;
    raw += newline;
    raw += newline;
  }
  return raw;
}

}  // namespace

TEST_CASE("OpenAI → Anthropic stream: payload by payload", "[providers][anthropic][reverse][stream]") {
  for (const auto& s : stream_scenarios()) {
    INFO(s.name);
    OpenAIToAnthropicStream stream("claude-group", s.input_estimate);
    std::string out;
    for (const auto& p : s.payloads) out += stream.on_data(p);
    check_events(out, s.expected);
    for (const auto& e : tollgate::testing::split_output(out)) {
      const auto data = parse_json(e.data);
      REQUIRE(data.IsObject());
      CHECK(std::string(data["type"].GetString()) == e.event);  // Anthropic repeats the type in the data
    }
    CHECK(stream.finished());
    CHECK(stream.usage().prompt_tokens == s.usage.prompt_tokens);
    CHECK(stream.usage().completion_tokens == s.usage.completion_tokens);
    CHECK(stream.usage().cached_prompt_tokens == s.usage.cached_prompt_tokens);
    CHECK(stream.on_data("[DONE]").empty());
  }
}

TEST_CASE("OpenAI → Anthropic stream: raw bytes cut at every offset give the same output",
          "[providers][anthropic][reverse][stream]") {
  for (const auto& s : stream_scenarios()) {
    const std::string reference = run_payloads(s);
    for (const char* newline : {"\n", "\r\n", "\r"}) {
      const std::string raw = raw_openai_stream(s.payloads, newline);
      INFO(s.name << " with newline " << (newline[0] == '\n' ? "LF" : newline[1] ? "CRLF" : "CR"));
      auto translate_all = [&](const std::vector<std::size_t>& cuts) {
        OpenAIToAnthropicStream stream("claude-group", s.input_estimate);
        return translate_pieces(raw, cuts, [&](const SseEvent& e) { return stream.on_data(e.data); });
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

// ---- error bodies

TEST_CASE("Anthropic error bodies by HTTP status", "[providers][anthropic][error]") {
  struct StatusRow {
    int status;
    const char* type;
  };
  const std::vector<StatusRow> rows = {
      {400, "invalid_request_error"},
      {401, "authentication_error"},
      {403, "permission_error"},
      {404, "not_found_error"},
      {413, "request_too_large"},
      {429, "rate_limit_error"},
      {500, "api_error"},
      {502, "api_error"},
      {503, "overloaded_error"},
      {529, "overloaded_error"},
      {418, "api_error"},
  };
  for (const auto& row : rows) {
    INFO(row.status);
    CHECK_THAT(anthropic_error_body(row.status, "went \"wrong\"\n"),
               EqualsJson(std::string(R"({"type":"error","error":{"type":")") + row.type +
                          R"(","message":"went \"wrong\"\n"}})"));
  }
}
