// Vertex AI requests (URL per publisher and method, body as each publisher takes it, no key:
// the bearer token is added per call), answers and streams through the Gemini and Anthropic
// translations, the token's refresh schedule, and the exact cost of a streamed Claude call.
#include <catch2/catch.hpp>

#include "core/cost_map.h"
#include "providers/registry.h"
#include "providers/vertex/service_account.h"
#include "providers/vertex/vertex_provider.h"
#include "proxy/model_router.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::Api;

namespace {

config::Deployment vertex_deployment(const std::string& model) {
  config::Deployment d;
  d.model_name = "v";
  d.provider = core::ProviderKind::vertex_ai;
  d.provider_prefix = "vertex_ai";
  d.upstream_model = model;
  d.api_base = "https://europe-west4-aiplatform.googleapis.com";
  d.vertex.project = "proj";
  d.vertex.location = "europe-west4";
  d.vertex.credentials = R"({"type":"service_account"})";
  return d;
}

providers::UpstreamRequest build(const config::Deployment& d, Api client, const std::string& body) {
  const auto request = testing::parse_json(body);
  auto out = providers::provider_of(d).build_request(d, client, request, body, std::chrono::system_clock::now());
  REQUIRE(out);
  return std::move(out).value();
}

bool has_header(const providers::UpstreamRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("Vertex AI Gemini: generateContent on publishers/google, the Gemini body, no key", "[providers][vertex]") {
  const auto d = vertex_deployment("gemini-2.0-flash");
  const auto plain = build(d, Api::openai_chat, R"({"model":"v","messages":[{"role":"user","content":"hi"}]})");
  CHECK(plain.api == Api::gemini_generate_content);
  CHECK(plain.target ==
        "/v1/projects/proj/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent");
  const auto body = testing::parse_json(plain.body);
  CHECK(std::string(body["contents"][0]["parts"][0]["text"].GetString()) == "hi");
  CHECK_FALSE(has_header(plain, "x-goog-api-key"));
  CHECK_FALSE(has_header(plain, "authorization"));  // added per call, from the token source

  auto behind_proxy = d;
  behind_proxy.api_base = "http://127.0.0.1:9/vertex/";
  const auto streamed =
      build(behind_proxy, Api::anthropic_messages,
            R"({"model":"v","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  CHECK(streamed.stream);
  CHECK(streamed.target ==
        "/vertex/v1/projects/proj/locations/europe-west4/publishers/google/models/"
        "gemini-2.0-flash:streamGenerateContent?alt=sse");
}

TEST_CASE("Vertex AI Claude: rawPredict on publishers/anthropic, no model, anthropic_version in the body",
          "[providers][vertex]") {
  const auto d = vertex_deployment("claude-3-5-sonnet-v2@20241022");
  const auto native =
      build(d, Api::anthropic_messages, R"({"model":"v","max_tokens":50,"messages":[{"role":"user","content":"hi"}]})");
  CHECK(native.api == Api::anthropic_messages);
  CHECK(
      native.target ==
      "/v1/projects/proj/locations/europe-west4/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022:rawPredict");
  CHECK_THAT(native.body, testing::EqualsJson(R"({"max_tokens":50,"messages":[{"role":"user","content":"hi"}],
                                     "anthropic_version":"vertex-2023-10-16"})"));
  CHECK_FALSE(has_header(native, "x-api-key"));
  CHECK_FALSE(has_header(native, "anthropic-version"));

  const auto translated =
      build(d, Api::openai_chat, R"({"model":"v","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  CHECK(translated.target ==
        "/v1/projects/proj/locations/europe-west4/publishers/anthropic/models/"
        "claude-3-5-sonnet-v2@20241022:streamRawPredict");
  const auto body = testing::parse_json(translated.body);
  CHECK_FALSE(body.HasMember("model"));
  CHECK(std::string(body["anthropic_version"].GetString()) == "vertex-2023-10-16");
  CHECK(body["stream"].GetBool());
  CHECK(body["max_tokens"].GetInt64() == 4096);  // Anthropic's default, as for anthropic/ deployments
}

TEST_CASE("Vertex AI embeddings go to :predict, Claude on Vertex serves no embeddings", "[providers][vertex]") {
  const auto request = testing::parse_json(R"({"model":"v","input":"x"})");
  const auto embed = vertex_deployment("text-embedding-004");
  const auto& provider = providers::provider_of(embed);
  CHECK(provider.upstream_api(Api::openai_embedding) == Api::openai_embedding);
  const auto out =
      provider.build_request(embed, Api::openai_embedding, request, "{}", std::chrono::system_clock::now());
  REQUIRE(out);
  CHECK(out->api == Api::openai_embedding);
  CHECK(out->target.size() > 8);
  CHECK(out->target.substr(out->target.size() - 8) == ":predict");
  CHECK_THAT(out->target, Catch::Contains("/publishers/google/models/text-embedding-004"));
  CHECK(out->body == R"({"instances":[{"content":"x"}]})");
  const auto claude = vertex_deployment("claude-3-5-haiku@20241022");
  const auto refused =
      provider.build_request(claude, Api::openai_embedding, request, "{}", std::chrono::system_clock::now());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().status == 400);
}

TEST_CASE("Vertex AI answers come back through the publisher's translation", "[providers][vertex]") {
  const auto d = vertex_deployment("gemini-2.0-flash");
  const auto& provider = providers::provider_of(d);
  const auto gemini = provider.finish_response(
      Api::openai_chat, Api::gemini_generate_content,
      R"({"candidates":[{"content":{"role":"model","parts":[{"text":"ok"}]},"finishReason":"STOP"}],
          "usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":3,"totalTokenCount":10}})",
      "v");
  REQUIRE(gemini);
  CHECK(gemini->usage.prompt_tokens == 7);
  CHECK(gemini->usage.completion_tokens == 3);
  const auto claude = provider.finish_response(
      Api::openai_chat, Api::anthropic_messages,
      R"({"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"ok"}],
          "stop_reason":"end_turn","usage":{"input_tokens":11,"output_tokens":4}})",
      "v");
  REQUIRE(claude);
  CHECK(claude->usage.prompt_tokens == 11);
  CHECK(claude->usage.completion_tokens == 4);
}

TEST_CASE("golden cost: a streamed Vertex AI Claude call is charged (LiteLLM logged these at 0)",
          "[providers][vertex][cost]") {
  const auto d = vertex_deployment("claude-3-5-sonnet-v2@20241022");
  const auto price = proxy::ModelRouter::price_of(d);
  REQUIRE(price);  // the built-in claude-3-5-sonnet row: Vertex's names carry @date
  // streamRawPredict's events as Vertex sends them: Anthropic's, with cache reads and writes.
  const std::vector<providers::SseEvent> events{
      {"message_start",
       R"({"type":"message_start","message":{"id":"msg_vrtx_1","type":"message","role":"assistant","model":"claude-3-5-sonnet-v2-20241022","content":[],"usage":{"input_tokens":100,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":1}}})"},
      {"content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
      {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":50}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  };
  // 100 × $3/M + 1000 × $3.75/M + 2000 × $0.30/M + 50 × $15/M
  constexpr double kExpected = 0.0003 + 0.00375 + 0.0006 + 0.00075;
  for (const auto client : {Api::anthropic_messages, Api::openai_chat}) {
    auto relay = providers::provider_of(d).stream_relay(client, Api::anthropic_messages, {});
    for (const auto& e : events) relay->on_event(e);
    REQUIRE(relay->usage_found());
    CHECK(core::cost_of(relay->usage(), *price) == Approx(kExpected).epsilon(1e-12));
  }
}

TEST_CASE("a Vertex access token is used until 5 minutes before expiry, refreshed from 6", "[providers][vertex]") {
  using providers::vertex::AccessToken;
  const AccessToken token{"ya29.t", 10'000};
  struct Row {
    std::int64_t now;
    bool refresh_due;
    bool unusable;
  };
  for (const auto& row : {Row{9'000, false, false}, Row{9'639, false, false}, Row{9'640, true, false},
                          Row{9'699, true, false}, Row{9'700, true, true}, Row{10'001, true, true}}) {
    CAPTURE(row.now);
    CHECK(providers::vertex::refresh_due(token, row.now) == row.refresh_due);
    CHECK(providers::vertex::needs_refresh(token, row.now) == row.unusable);
  }
  CHECK(providers::vertex::refresh_due(AccessToken{}, 0));
}
