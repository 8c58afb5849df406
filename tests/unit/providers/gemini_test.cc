// Gemini generateContent: request translation (from Anthropic Messages and, through it, OpenAI
// chat), answers and streams back to both client APIs, usage with cached and thinking tokens,
// and the exact cost of a recorded usage payload.
#include <catch2/catch.hpp>

#include "core/cost_map.h"
#include "providers/gemini/gemini_provider.h"
#include "providers/gemini/gemini_request.h"
#include "providers/gemini/gemini_response.h"
#include "providers/registry.h"
#include "proxy/model_router.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::Api;
using testing::EqualsJson;

namespace {

config::Deployment gemini_deployment() {
  config::Deployment d;
  d.model_name = "flash";
  d.provider = core::ProviderKind::gemini;
  d.provider_prefix = "gemini";
  d.upstream_model = "gemini-2.0-flash";
  d.api_base = "https://generativelanguage.googleapis.com";
  d.api_key = "AIza-test-key";
  return d;
}

}  // namespace

TEST_CASE("generateContent request from Anthropic Messages: system, parts, function calls, config, tools",
          "[providers][gemini]") {
  const auto request = testing::parse_json(R"({
    "model":"flash","max_tokens":300,"temperature":0.2,"top_p":0.9,"top_k":40,"stop_sequences":["END"],
    "system":[{"type":"text","text":"be brief"}],
    "messages":[
      {"role":"user","content":[{"type":"text","text":"look"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]},
      {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},
        {"type":"tool_use","id":"t1","name":"get","input":{"q":1}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"42"}]}]}],
    "tools":[{"name":"get","description":"gets","input_schema":{"$schema":"x","type":"object",
      "properties":{"q":{"type":"integer"}},"additionalProperties":false}},{"name":"now","input_schema":{"type":"object"}}],
    "tool_choice":{"type":"tool","name":"get"}})");
  const auto out = providers::gemini::generate_content_request_from_anthropic(request);
  REQUIRE(out);
  CHECK_THAT(*out, EqualsJson(R"({
    "contents":[
      {"role":"user","parts":[{"text":"look"},{"inlineData":{"mimeType":"image/png","data":"iVBOR"}}]},
      {"role":"model","parts":[{"functionCall":{"name":"get","args":{"q":1}}}]},
      {"role":"user","parts":[{"functionResponse":{"name":"get","response":{"content":"42"}}}]}],
    "systemInstruction":{"parts":[{"text":"be brief"}]},
    "generationConfig":{"maxOutputTokens":300,"temperature":0.2,"topP":0.9,"topK":40,"stopSequences":["END"]},
    "tools":[{"functionDeclarations":[
      {"name":"get","description":"gets","parameters":{"type":"object","properties":{"q":{"type":"integer"}}}},
      {"name":"now"}]}],
    "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get"]}}})"));
}

TEST_CASE("generateContent request refusals are 400s", "[providers][gemini]") {
  using providers::gemini::generate_content_request_from_anthropic;
  const auto url_image = testing::parse_json(
      R"({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}]})");
  const auto orphan_result = testing::parse_json(
      R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"nope","content":"1"}]}]})");
  const auto document = testing::parse_json(
      R"({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","data":"x"}}]}]})");
  for (const auto* request : {&url_image, &orphan_result, &document}) {
    const auto out = generate_content_request_from_anthropic(*request);
    REQUIRE_FALSE(out);
    CHECK(out.error().status == 400);
  }
}

TEST_CASE("the Gemini plug-in builds generateContent and streamGenerateContent requests with the key in a header",
          "[providers][gemini]") {
  const auto d = gemini_deployment();
  const auto& provider = providers::provider_of(d);
  const auto plain = testing::parse_json(R"({"model":"flash","messages":[{"role":"user","content":"hi"}]})");
  auto built = provider.build_request(d, Api::openai_chat, plain, "", {});
  REQUIRE(built);
  CHECK(built->api == Api::gemini_generate_content);
  CHECK(built->target == "/v1beta/models/gemini-2.0-flash:generateContent");
  CHECK(built->target.find("key=") == std::string::npos);
  CHECK(std::find(built->headers.begin(), built->headers.end(),
                  std::pair<std::string, std::string>{"x-goog-api-key", "AIza-test-key"}) != built->headers.end());
  CHECK_THAT(built->body, EqualsJson(R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],
                                        "generationConfig":{"maxOutputTokens":8192}})"));
  const auto streamed =
      testing::parse_json(R"({"model":"flash","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  built = provider.build_request(d, Api::openai_chat, streamed, "", {});
  REQUIRE(built);
  CHECK(built->stream);
  CHECK(built->target == "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
  CHECK_FALSE(provider.build_request(d, Api::openai_embedding, plain, "", {}));
}

TEST_CASE("a Gemini answer with text, a function call, thinking and cached tokens, for both client APIs",
          "[providers][gemini]") {
  const auto d = gemini_deployment();
  const auto& provider = providers::provider_of(d);
  const std::string body = R"({"candidates":[{"content":{"role":"model","parts":[
      {"text":"let me think","thought":true},{"text":"calling"},{"functionCall":{"name":"get","args":{"q":1}}}]},
      "finishReason":"STOP","index":0}],
    "usageMetadata":{"promptTokenCount":1200,"cachedContentTokenCount":1000,"candidatesTokenCount":30,
      "thoughtsTokenCount":20,"totalTokenCount":1250}})";
  auto openai = provider.finish_response(Api::openai_chat, Api::gemini_generate_content, body, "flash");
  REQUIRE(openai);
  CHECK(openai->usage.prompt_tokens == 1200);
  CHECK(openai->usage.cached_prompt_tokens == 1000);
  CHECK(openai->usage.completion_tokens == 50);
  const auto chat = testing::parse_json(openai->body);
  CHECK(std::string(chat["choices"][0]["finish_reason"].GetString()) == "tool_calls");
  CHECK(std::string(chat["choices"][0]["message"]["content"].GetString()) == "calling");
  CHECK(std::string(chat["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"].GetString()) ==
        R"({"q":1})");
  CHECK(chat["usage"]["prompt_tokens_details"]["cached_tokens"].GetInt() == 1000);

  auto anthropic = provider.finish_response(Api::anthropic_messages, Api::gemini_generate_content, body, "flash");
  REQUIRE(anthropic);
  const auto message = testing::parse_json(anthropic->body);
  CHECK(std::string(message["content"][0]["type"].GetString()) == "thinking");
  CHECK(std::string(message["content"][2]["type"].GetString()) == "tool_use");
  CHECK(std::string(message["stop_reason"].GetString()) == "tool_use");
  CHECK(message["usage"]["input_tokens"].GetInt() == 200);  // Anthropic's input_tokens exclude cache reads
  CHECK(message["usage"]["cache_read_input_tokens"].GetInt() == 1000);
  CHECK(message["usage"]["output_tokens"].GetInt() == 50);

  CHECK_FALSE(provider.finish_response(Api::openai_chat, Api::gemini_generate_content, R"({"x":1})", "flash"));
  const auto blocked = provider.finish_response(
      Api::openai_chat, Api::gemini_generate_content,
      R"({"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}})", "f");
  REQUIRE(blocked);
  CHECK(std::string(testing::parse_json(blocked->body)["choices"][0]["finish_reason"].GetString()) == "content_filter");
}

TEST_CASE("Gemini's tool-use prompt tokens (its own tools' results) are charged as input", "[providers][gemini]") {
  rapidjson::Document usage;
  usage.Parse(R"({"promptTokenCount":100,"cachedContentTokenCount":40,"toolUsePromptTokenCount":250,
                  "candidatesTokenCount":30,"thoughtsTokenCount":5,"totalTokenCount":385})");
  const auto u = providers::gemini::usage_from_gemini(usage);
  CHECK(u.prompt_tokens == 350);
  CHECK(u.cached_prompt_tokens == 40);
  CHECK(u.completion_tokens == 35);
}

TEST_CASE("Gemini finish reasons", "[providers][gemini]") {
  using providers::gemini::anthropic_stop_reason;
  CHECK(anthropic_stop_reason("STOP", false) == "end_turn");
  CHECK(anthropic_stop_reason("STOP", true) == "tool_use");
  CHECK(anthropic_stop_reason("MAX_TOKENS", false) == "max_tokens");
  CHECK(anthropic_stop_reason("SAFETY", false) == "refusal");
  CHECK(anthropic_stop_reason("RECITATION", true) == "refusal");
  CHECK(anthropic_stop_reason("OTHER", false) == "end_turn");
}

TEST_CASE("a Gemini SSE stream → OpenAI chunks with usage, through the plug-in's decoder and relay",
          "[providers][gemini]") {
  const auto d = gemini_deployment();
  const auto& provider = providers::provider_of(d);
  const std::string wire =
      "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]},\"index\":0}],"
      "\"usageMetadata\":{\"promptTokenCount\":7,\"totalTokenCount\":7}}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"index\":0}]}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"f\","
      "\"args\":{\"a\":1}}}]},\"finishReason\":\"STOP\",\"index\":0}],"
      "\"usageMetadata\":{\"promptTokenCount\":7,\"candidatesTokenCount\":4,\"totalTokenCount\":11}}\r\n\r\n";
  providers::StreamOptions options;
  options.model_group = "flash";
  options.client_wants_usage = true;
  auto decoder = provider.stream_decoder();
  auto relay = provider.stream_relay(Api::openai_chat, Api::gemini_generate_content, options);
  std::vector<providers::SseEvent> events;
  std::string out;
  std::int64_t text_tokens = 0;
  for (std::size_t at = 0; at < wire.size(); at += 7) {  // split mid-event
    events.clear();
    decoder->feed(std::string_view(wire).substr(at, 7), events);
    for (const auto& e : events) {
      text_tokens += provider.stream_event_text_tokens(Api::gemini_generate_content, e);
      out += relay->on_event(e);
    }
  }
  CHECK(text_tokens > 0);
  CHECK(relay->finished());
  CHECK(relay->usage_found());
  CHECK(relay->usage().prompt_tokens == 7);
  CHECK(relay->usage().completion_tokens == 4);
  std::string text, arguments, finish;
  bool usage_chunk = false;
  const auto chunks = testing::split_output(out);
  for (const auto& c : chunks) {
    if (c.data == "[DONE]") continue;
    const auto doc = testing::parse_json(c.data);
    if (doc.HasMember("usage") && doc["usage"].IsObject()) usage_chunk = doc["usage"]["total_tokens"].GetInt() == 11;
    if (!doc["choices"].IsArray() || doc["choices"].Empty()) continue;
    const auto& choice = doc["choices"][0];
    if (choice["delta"].HasMember("content") && choice["delta"]["content"].IsString())
      text += choice["delta"]["content"].GetString();
    if (choice["delta"].HasMember("tool_calls"))
      arguments += choice["delta"]["tool_calls"][0]["function"]["arguments"].GetString();
    if (choice["finish_reason"].IsString()) finish = choice["finish_reason"].GetString();
  }
  CHECK(text == "Hello");
  CHECK(arguments == R"({"a":1})");
  CHECK(finish == "tool_calls");
  CHECK(usage_chunk);
  CHECK(chunks.back().data == "[DONE]");
}

TEST_CASE("a Gemini stream's error chunk ends an Anthropic client's stream with an error event",
          "[providers][gemini]") {
  const auto& provider = providers::provider_of(gemini_deployment());
  auto relay = provider.stream_relay(Api::anthropic_messages, Api::gemini_generate_content, {});
  const auto out = relay->on_event(
      {"", R"({"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}})"});
  CHECK_THAT(out, Catch::Contains("event: error"));
  CHECK_THAT(out, Catch::Contains("Resource has been exhausted"));
}

TEST_CASE("golden cost: Gemini usage with cached content and thinking tokens", "[providers][cost][gemini]") {
  auto d = gemini_deployment();
  d.info.input_cost_per_token = 0.1e-6;
  d.info.output_cost_per_token = 0.4e-6;
  d.info.cache_read_input_token_cost = 0.025e-6;
  const auto out = providers::provider_of(d).finish_response(
      Api::openai_chat, Api::gemini_generate_content,
      R"({"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}],
          "usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2000,"candidatesTokenCount":40,
                           "thoughtsTokenCount":10,"totalTokenCount":3050}})",
      "flash");
  REQUIRE(out);
  const auto price = proxy::ModelRouter::price_of(d);
  REQUIRE(price);
  // 1000 plain × $0.10/M + 2000 cached × $0.025/M + (40 + 10) output × $0.40/M: the cached
  // tokens are not charged again as plain input, the thinking tokens are charged as output.
  CHECK(core::cost_of(out->usage, *price) == Approx(0.0001 + 0.00005 + 0.00002).epsilon(1e-12));
}
