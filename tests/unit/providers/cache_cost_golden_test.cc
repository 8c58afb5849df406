// Recorded usage of each provider's wire format → the exact cost charged, cache reads and
// cache writes each at their own price (LiteLLM has charged cached tokens as plain input).
#include <catch2/catch.hpp>

#include "core/cost_map.h"
#include "providers/anthropic_stream.h"
#include "providers/bedrock/bedrock_provider.h"
#include "providers/registry.h"
#include "proxy/model_router.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::Api;

namespace {

config::Deployment deployment(core::ProviderKind kind, const std::string& model) {
  config::Deployment d;
  d.model_name = "g";
  d.provider = kind;
  d.upstream_model = model;
  d.api_base = "https://example.com";
  return d;
}

double cost(const config::Deployment& d, const core::Usage& usage) {
  const auto price = proxy::ModelRouter::price_of(d);
  REQUIRE(price);
  return core::cost_of(usage, *price);
}

// 100 plain input tokens, 1000 written to the cache, 2000 read from it, 50 output tokens at
// claude-3-5-sonnet's list price: 100 × $3/M + 1000 × $3.75/M + 2000 × $0.30/M + 50 × $15/M.
constexpr double kClaudeCachedCost = 0.0003 + 0.00375 + 0.0006 + 0.00075;

constexpr const char* kAnthropicMessage = R"({"id":"msg_1","type":"message","role":"assistant","model":"m",
    "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,
    "usage":{"input_tokens":100,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":50}})";

}  // namespace

TEST_CASE("golden cost: Anthropic usage with cache writes and reads, passed through and translated",
          "[providers][cost]") {
  const auto d = deployment(core::ProviderKind::anthropic, "claude-3-5-sonnet-20241022");
  const auto& provider = providers::provider_of(d);
  for (const auto client : {Api::anthropic_messages, Api::openai_chat}) {
    const auto out = provider.finish_response(client, Api::anthropic_messages, kAnthropicMessage, "g");
    REQUIRE(out);
    CHECK(out->usage.prompt_tokens == 3100);
    CHECK(out->usage.cached_prompt_tokens == 2000);
    CHECK(out->usage.cache_creation_prompt_tokens == 1000);
    CHECK(cost(d, out->usage) == Approx(kClaudeCachedCost).epsilon(1e-12));
  }
}

TEST_CASE("golden cost: an Anthropic stream's usage, relayed as is and translated to OpenAI", "[providers][cost]") {
  const auto d = deployment(core::ProviderKind::anthropic, "claude-3-5-sonnet-20241022");
  const std::vector<providers::SseEvent> events{
      {"message_start",
       R"({"type":"message_start","message":{"id":"m","usage":{"input_tokens":100,"cache_creation_input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":1}}})"},
      {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":50}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  };
  for (const auto client : {Api::anthropic_messages, Api::openai_chat}) {
    auto relay = providers::provider_of(d).stream_relay(client, Api::anthropic_messages, {});
    for (const auto& e : events) relay->on_event(e);
    CHECK(relay->usage().cache_creation_prompt_tokens == 1000);
    CHECK(cost(d, relay->usage()) == Approx(kClaudeCachedCost).epsilon(1e-12));
  }
}

TEST_CASE("golden cost: Bedrock Converse usage of a cross-region Claude profile", "[providers][cost]") {
  auto d = deployment(core::ProviderKind::bedrock, "converse/us.anthropic.claude-3-5-sonnet-20241022-v2:0");
  CHECK(providers::provider_of(d).catalog_model(d) == "claude-3-5-sonnet-20241022-v2:0");
  const auto out = providers::provider_of(d).finish_response(
      Api::openai_chat, Api::bedrock_converse,
      R"({"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn",
          "usage":{"inputTokens":100,"cacheWriteInputTokens":1000,"cacheReadInputTokens":2000,"outputTokens":50,"totalTokens":3150}})",
      "g");
  REQUIRE(out);
  CHECK(cost(d, out->usage) == Approx(kClaudeCachedCost).epsilon(1e-12));
}

TEST_CASE("golden cost: OpenAI cached prompt tokens", "[providers][cost]") {
  const auto d = deployment(core::ProviderKind::openai, "gpt-4o-2024-08-06");
  const auto out = providers::provider_of(d).finish_response(
      Api::openai_chat, Api::openai_chat,
      R"({"id":"c","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3000,"completion_tokens":50,
          "total_tokens":3050,"prompt_tokens_details":{"cached_tokens":2000}}})",
      "g");
  REQUIRE(out);
  // 1000 × $2.50/M + 2000 × $1.25/M + 50 × $10/M
  CHECK(cost(d, out->usage) == Approx(0.0025 + 0.0025 + 0.0005).epsilon(1e-12));
}

TEST_CASE("golden cost: configured cache prices (LiteLLM's names) override the built-in ones", "[providers][cost]") {
  auto d = deployment(core::ProviderKind::anthropic, "my-claude");
  d.info.input_cost_per_token = 1e-6;
  d.info.output_cost_per_token = 2e-6;
  d.info.cache_read_input_token_cost = 0.1e-6;
  d.info.cache_creation_input_token_cost = 1.5e-6;
  core::Usage usage;
  usage.prompt_tokens = 3100;
  usage.cached_prompt_tokens = 2000;
  usage.cache_creation_prompt_tokens = 1000;
  usage.completion_tokens = 50;
  CHECK(cost(d, usage) == Approx(100 * 1e-6 + 2000 * 0.1e-6 + 1000 * 1.5e-6 + 50 * 2e-6).epsilon(1e-12));
  d.info.cache_creation_input_token_cost.reset();  // then cache writes cost plain input
  CHECK(cost(d, usage) == Approx(1100 * 1e-6 + 2000 * 0.1e-6 + 50 * 2e-6).epsilon(1e-12));
  usage.cache_creation_prompt_tokens = 5000;  // more than the prompt: never below zero
  CHECK(cost(d, usage) >= 0);
}
