#include <catch2/catch.hpp>

#include "providers/bedrock/bedrock_provider.h"
#include "providers/bedrock/converse_request.h"
#include "providers/bedrock/converse_response.h"
#include "providers/bedrock/converse_stream.h"
#include "providers/bedrock/event_stream.h"
#include "providers/registry.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::Api;
using testing::EqualsJson;

namespace {

config::Deployment bedrock_deployment() {
  config::Deployment d;
  d.model_name = "claude";
  d.provider = core::ProviderKind::bedrock;
  d.provider_prefix = "bedrock";
  d.upstream_model = "converse/anthropic.claude-3-haiku-20240307-v1:0";
  d.api_base = "https://bedrock-runtime.us-east-1.amazonaws.com";
  d.aws = {"AKIDEXAMPLE", "secret-key", "session-token", "us-east-1"};
  return d;
}

std::string frame(const std::string& event_type, const std::string& payload,
                  const std::string& message_type = "event") {
  eventstream::Message m;
  m.headers = {{message_type == "exception" ? ":exception-type" : ":event-type", event_type},
               {":message-type", message_type}};
  m.payload = payload;
  return eventstream::encode(m);
}

}  // namespace

TEST_CASE("Converse request from Anthropic Messages: system, blocks, tools, inference config", "[providers][bedrock]") {
  const auto request = testing::parse_json(R"({
    "model":"claude","max_tokens":300,"temperature":0.2,"top_p":0.9,"stop_sequences":["END"],
    "system":[{"type":"text","text":"be brief"}],
    "messages":[
      {"role":"user","content":[{"type":"text","text":"look"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]},
      {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get","input":{"q":1}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"42","is_error":true}]}],
    "tools":[{"name":"get","description":"gets","input_schema":{"type":"object"}}],
    "tool_choice":{"type":"tool","name":"get"}})");
  const auto out = providers::bedrock::converse_request_from_anthropic(request);
  REQUIRE(out);
  CHECK_THAT(*out, EqualsJson(R"({
    "messages":[
      {"role":"user","content":[{"text":"look"},{"image":{"format":"png","source":{"bytes":"iVBOR"}}}]},
      {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get","input":{"q":1}}}]},
      {"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"42"}],"status":"error"}}]}],
    "system":[{"text":"be brief"}],
    "inferenceConfig":{"maxTokens":300,"temperature":0.2,"topP":0.9,"stopSequences":["END"]},
    "toolConfig":{"tools":[{"toolSpec":{"name":"get","description":"gets","inputSchema":{"json":{"type":"object"}}}}],
                  "toolChoice":{"tool":{"name":"get"}}}})"));
}

TEST_CASE("Converse request refuses what Converse cannot carry", "[providers][bedrock]") {
  for (
      const char* body : {
          R"({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}]})",
          R"({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/tiff","data":"x"}}]}]})",
          R"({"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]})",
          R"({"messages":"hi"})",
      }) {
    CAPTURE(body);
    const auto out = providers::bedrock::converse_request_from_anthropic(testing::parse_json(body));
    REQUIRE_FALSE(out);
    CHECK(out.error().status == 400);
  }
}

TEST_CASE("Bedrock plug-in: OpenAI chat in, signed Converse request out", "[providers][bedrock]") {
  const auto d = bedrock_deployment();
  const auto& provider = providers::provider_of(d);
  const auto request = testing::parse_json(
      R"({"model":"claude","stream":true,"messages":[{"role":"system","content":"sys"},{"role":"user","content":"hi"}],
          "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"required"})");
  const auto built = provider.build_request(d, Api::openai_chat, request, "", std::chrono::system_clock::now());
  REQUIRE(built);
  CHECK(built->api == Api::bedrock_converse);
  CHECK(built->target == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
  CHECK_THAT(built->body,
             EqualsJson(R"({"messages":[{"role":"user","content":[{"text":"hi"}]}],"system":[{"text":"sys"}],
      "inferenceConfig":{"maxTokens":4096},
      "toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object"}}}}],"toolChoice":{"any":{}}}})"));
  std::string authorization;
  bool accept_stream = false, token = false;
  for (const auto& [name, value] : built->headers) {
    if (name == "authorization") authorization = value;
    if (name == "accept") accept_stream = value == "application/vnd.amazon.eventstream";
    if (name == "x-amz-security-token") token = value == "session-token";
  }
  CHECK(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0) == 0);
  CHECK(authorization.find("/us-east-1/bedrock/aws4_request") != std::string::npos);
  CHECK(authorization.find("secret-key") == std::string::npos);
  CHECK(accept_stream);
  CHECK(token);
  CHECK(provider.max_tokens_added(d) == 4096);
  CHECK_FALSE(provider.build_request(d, Api::openai_embedding, request, "", std::chrono::system_clock::now()));
  CHECK(providers::bedrock::host_of("http://127.0.0.1:80/x") == "127.0.0.1");
  CHECK(providers::bedrock::host_of("https://h:8443") == "h:8443");
  // The signed Host is the one the client sends (http::UpstreamUrl::host_header): default port
  // left out however it is written, an IPv6 host in brackets.
  CHECK(providers::bedrock::host_of("https://bedrock-runtime.us-east-1.amazonaws.com") ==
        "bedrock-runtime.us-east-1.amazonaws.com");
  CHECK(providers::bedrock::host_of("https://h:0443/") == "h");
  CHECK(providers::bedrock::host_of("http://h:/x") == "h");
  CHECK(providers::bedrock::host_of("http://[::1]:8080/x") == "[::1]:8080");
  CHECK(providers::bedrock::host_of("https://[::1]:443") == "[::1]");
}

TEST_CASE("Converse response → OpenAI chat and Anthropic message, usage with cache tokens", "[providers][bedrock]") {
  const auto d = bedrock_deployment();
  const auto& provider = providers::provider_of(d);
  const std::string body = R"({"output":{"message":{"role":"assistant","content":[{"text":"Hi!"},
      {"toolUse":{"toolUseId":"tu1","name":"get","input":{"a":1}}}]}},"stopReason":"tool_use",
      "usage":{"inputTokens":10,"outputTokens":5,"totalTokens":23,"cacheReadInputTokens":6,"cacheWriteInputTokens":2},
      "metrics":{"latencyMs":12}})";
  auto openai = provider.finish_response(Api::openai_chat, Api::bedrock_converse, body, "claude");
  REQUIRE(openai);
  CHECK(openai->usage_found);
  CHECK(openai->usage.prompt_tokens == 18);
  CHECK(openai->usage.cached_prompt_tokens == 6);
  CHECK(openai->usage.completion_tokens == 5);
  auto doc = testing::parse_json(openai->body);
  CHECK(std::string(doc["id"].GetString()).rfind("chatcmpl-", 0) == 0);
  CHECK(doc["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(doc["choices"][0]["message"]["content"] == "Hi!");
  CHECK(doc["choices"][0]["message"]["tool_calls"][0]["id"] == "tu1");
  CHECK(doc["usage"]["prompt_tokens"].GetInt() == 18);

  auto anthropic = provider.finish_response(Api::anthropic_messages, Api::bedrock_converse, body, "claude");
  REQUIRE(anthropic);
  doc = testing::parse_json(anthropic->body);
  CHECK(doc["stop_reason"] == "tool_use");
  CHECK(doc["content"][1]["type"] == "tool_use");
  CHECK(doc["usage"]["input_tokens"].GetInt() == 10);
  CHECK(doc["usage"]["cache_read_input_tokens"].GetInt() == 6);
  CHECK(doc["usage"]["cache_creation_input_tokens"].GetInt() == 2);

  CHECK_FALSE(provider.finish_response(Api::openai_chat, Api::bedrock_converse, R"({"output":{}})", "claude"));
  CHECK(providers::bedrock::anthropic_stop_reason("guardrail_intervened") == "refusal");
  CHECK(providers::bedrock::anthropic_stop_reason("max_tokens") == "max_tokens");
}

TEST_CASE("ConverseStream event stream → OpenAI chunks with usage, through the plug-in's decoder and relay",
          "[providers][bedrock]") {
  const auto d = bedrock_deployment();
  const auto& provider = providers::provider_of(d);
  std::string wire =
      frame("messageStart", R"({"role":"assistant"})") +
      frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})") +
      frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"lo"}})") +
      frame("contentBlockStop", R"({"contentBlockIndex":0})") +
      frame("contentBlockStart", R"({"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tu","name":"f"}}})") +
      frame("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"a\":"}}})") +
      frame("contentBlockStop", R"({"contentBlockIndex":1})") + frame("messageStop", R"({"stopReason":"tool_use"})") +
      frame("metadata", R"({"usage":{"inputTokens":7,"outputTokens":4,"totalTokens":11}})");
  providers::StreamOptions options;
  options.model_group = "claude";
  options.client_wants_usage = true;
  auto decoder = provider.stream_decoder();
  auto relay = provider.stream_relay(Api::openai_chat, Api::bedrock_converse, options);
  std::vector<providers::SseEvent> events;
  std::string out;
  std::int64_t text_tokens = 0;
  for (std::size_t at = 0; at < wire.size(); at += 5) {  // split mid-frame
    events.clear();
    decoder->feed(std::string_view(wire).substr(at, 5), events);
    for (const auto& e : events) {
      text_tokens += provider.stream_event_text_tokens(Api::bedrock_converse, e);
      out += relay->on_event(e);
    }
  }
  CHECK(decoder->broken().empty());
  CHECK(text_tokens > 0);
  CHECK(relay->finished());
  CHECK(relay->usage_found());
  CHECK(relay->usage().prompt_tokens == 7);
  CHECK(relay->usage().completion_tokens == 4);
  const auto chunks = testing::split_output(out);
  std::string text, arguments, finish;
  bool usage_chunk = false;
  for (const auto& c : chunks) {
    if (c.data == "[DONE]") continue;
    const auto doc = testing::parse_json(c.data);
    if (doc.HasMember("usage") && doc["usage"].IsObject()) {
      usage_chunk = doc["usage"]["total_tokens"].GetInt() == 11;
    }
    if (!doc["choices"].IsArray() || doc["choices"].Empty()) continue;
    const auto& choice = doc["choices"][0];
    if (choice["delta"].HasMember("content") && choice["delta"]["content"].IsString())
      text += choice["delta"]["content"].GetString();
    if (choice["delta"].HasMember("tool_calls"))
      arguments += choice["delta"]["tool_calls"][0]["function"]["arguments"].GetString();
    if (choice["finish_reason"].IsString()) finish = choice["finish_reason"].GetString();
  }
  CHECK(text == "Hello");
  CHECK(arguments == "{\"a\":");
  CHECK(finish == "tool_calls");
  CHECK(usage_chunk);
  CHECK(chunks.back().data == "[DONE]");
}

TEST_CASE("ConverseStream: an exception becomes the client's error event, a corrupt frame breaks the decoder",
          "[providers][bedrock]") {
  const auto d = bedrock_deployment();
  const auto& provider = providers::provider_of(d);
  auto decoder = provider.stream_decoder();
  auto relay = provider.stream_relay(Api::anthropic_messages, Api::bedrock_converse, {});
  std::vector<providers::SseEvent> events;
  decoder->feed(frame("messageStart", R"({"role":"assistant"})") +
                    frame("throttlingException", R"({"message":"slow down"})", "exception"),
                events);
  REQUIRE(events.size() == 2);
  std::string out;
  for (const auto& e : events) out += relay->on_event(e);
  const auto sse = testing::split_output(out);
  REQUIRE(sse.back().event == "error");
  CHECK_THAT(sse.back().data, Catch::Contains("slow down"));
  CHECK_FALSE(relay->usage_found());

  std::string bad = frame("metadata", "{}");
  bad[bad.size() - 1] = static_cast<char>(bad[bad.size() - 1] ^ 1);
  events.clear();
  decoder->feed(bad, events);
  CHECK(events.empty());
  CHECK_THAT(std::string(decoder->broken()), Catch::Contains("CRC"));

  auto truncated = provider.stream_decoder();
  const auto whole = frame("metadata", "{}");
  truncated->feed(std::string_view(whole).substr(0, whole.size() - 3), events);
  truncated->finish(events);
  CHECK_FALSE(truncated->broken().empty());
}

TEST_CASE("Converse reasoning blocks reach Anthropic clients as thinking blocks", "[providers][bedrock]") {
  const auto d = bedrock_deployment();
  const std::string body = R"({"output":{"message":{"role":"assistant","content":[
      {"reasoningContent":{"reasoningText":{"text":"think","signature":"sig"}}},{"text":"answer"}]}},
      "stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2}})";
  const auto out = providers::provider_of(d).finish_response(Api::anthropic_messages, Api::bedrock_converse, body, "c");
  REQUIRE(out);
  const auto doc = testing::parse_json(out->body);
  CHECK(doc["content"][0]["type"] == "thinking");
  CHECK(doc["content"][0]["thinking"] == "think");
  CHECK(doc["content"][1]["text"] == "answer");
}
