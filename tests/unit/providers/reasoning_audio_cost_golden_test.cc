// Recorded OpenAI usage with reasoning and audio tokens (completion_tokens_details,
// prompt_tokens_details) → the exact cost, each kind at its LiteLLM-named model_info price.
#include <catch2/catch.hpp>

#include "core/cost_map.h"
#include "providers/registry.h"
#include "proxy/model_router.h"

using namespace tollgate;
using providers::Api;

namespace {

config::Deployment openai(const std::string& model) {
  config::Deployment d;
  d.model_name = "g";
  d.provider = core::ProviderKind::openai;
  d.upstream_model = model;
  d.api_base = "https://example.com/v1";
  return d;
}

// An o3-mini answer as OpenAI returns it: 1,792 of its 1,843 completion tokens are reasoning.
constexpr const char* kReasoningAnswer = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"o3-mini",
  "choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
  "usage":{"prompt_tokens":13,"completion_tokens":1843,"total_tokens":1856,
   "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
   "completion_tokens_details":{"reasoning_tokens":1792,"audio_tokens":0,"accepted_prediction_tokens":0,
                                "rejected_prediction_tokens":0}}})";

// A gpt-4o-audio-preview answer: audio in and out.
constexpr const char* kAudioAnswer =
    R"({"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4o-audio-preview",
  "choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"}],
  "usage":{"prompt_tokens":95,"completion_tokens":126,"total_tokens":221,
   "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":78,"text_tokens":17},
   "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":100,"text_tokens":26}}})";

double cost(const config::Deployment& d, const core::Usage& usage) {
  const auto price = proxy::ModelRouter::price_of(d);
  REQUIRE(price);
  return core::cost_of(usage, *price);
}

}  // namespace

TEST_CASE("golden cost: reasoning tokens read from completion_tokens_details", "[providers][cost]") {
  auto d = openai("o3-mini");
  const auto out = providers::provider_of(d).finish_response(Api::openai_chat, Api::openai_chat, kReasoningAnswer, "g");
  REQUIRE(out);
  CHECK(out->usage.reasoning_tokens == 1792);
  // OpenAI bills reasoning as output: o3-mini's $1.10 / $4.40 per million.
  CHECK(cost(d, out->usage) == Approx(13 * 1.10e-6 + 1843 * 4.40e-6).epsilon(1e-12));
  // A provider pricing reasoning apart (model_info.output_cost_per_reasoning_token).
  d.info.output_cost_per_reasoning_token = 3.5e-6;
  CHECK(cost(d, out->usage) == Approx(13 * 1.10e-6 + 51 * 4.40e-6 + 1792 * 3.5e-6).epsilon(1e-12));
}

TEST_CASE("golden cost: audio tokens in and out at the audio prices", "[providers][cost]") {
  auto d = openai("gpt-4o-audio-preview");
  d.info.input_cost_per_token = 2.5e-6;
  d.info.output_cost_per_token = 10e-6;
  d.info.input_cost_per_audio_token = 40e-6;
  d.info.output_cost_per_audio_token = 80e-6;
  const auto out = providers::provider_of(d).finish_response(Api::openai_chat, Api::openai_chat, kAudioAnswer, "g");
  REQUIRE(out);
  CHECK(out->usage.audio_prompt_tokens == 78);
  CHECK(out->usage.audio_completion_tokens == 100);
  CHECK(cost(d, out->usage) == Approx(17 * 2.5e-6 + 78 * 40e-6 + 26 * 10e-6 + 100 * 80e-6).epsilon(1e-12));
}

TEST_CASE("a group's worst case covers its dearest kind of token", "[providers][cost]") {
  auto d = openai("gpt-4o-audio-preview");
  d.info.input_cost_per_token = 2.5e-6;
  d.info.output_cost_per_token = 10e-6;
  d.info.output_cost_per_audio_token = 80e-6;
  const auto price = proxy::ModelRouter::price_of(d);
  REQUIRE(price);
  CHECK(price->highest_output_per_token() == 80e-6);
}
