// Token-priced media models (core/media_cost.h): golden usage payloads as OpenAI sends them →
// exact cost at the built-in (LiteLLM's) prices, and the bound admission reserves, which no
// settle exceeds.
#include <catch2/catch.hpp>

#include <string>

#include "core/media_cost.h"
#include "core/token_bound.h"

using namespace tollgate::core;

namespace {

ModelPrice builtin(const char* model) {
  const auto price = builtin_price(model);
  REQUIRE(price);
  return *price;
}

MediaRequestFacts image_request(std::int64_t prompt_bytes, std::int64_t n, const char* size, const char* quality) {
  MediaRequestFacts f;
  f.kind = MediaKind::image_generation;
  f.units = {static_cast<double>(n), static_cast<double>(n)};
  f.text_bytes = prompt_bytes;
  f.images = n;
  f.output_tokens_per_image = image_output_token_bound(size, quality);
  return f;
}

MediaRequestFacts transcription_request(std::size_t upload_bytes, std::int64_t prompt_bytes) {
  MediaRequestFacts f;
  f.kind = MediaKind::transcription;
  f.units.bound = audio_seconds_bound(upload_bytes);
  f.units.fallback = f.units.bound;
  f.audio_seconds = f.units.bound;
  f.text_bytes = prompt_bytes;
  return f;
}

}  // namespace

TEST_CASE("gpt-image-1 output tokens per image: OpenAI's size × quality table, the largest when unsaid",
          "[core][cost][media]") {
  CHECK(image_output_token_bound("1024x1024", "low") == 272);
  CHECK(image_output_token_bound("1024x1536", "low") == 408);
  CHECK(image_output_token_bound("1536x1024", "medium") == 1568);
  CHECK(image_output_token_bound("1024x1024", "high") == 4160);
  CHECK(image_output_token_bound("1024x1536", "high") == 6240);
  CHECK(image_output_token_bound("1536x1024", "") == 6208);  // no quality: high
  CHECK(image_output_token_bound("", "low") == 408);         // no size: the largest low
  CHECK(image_output_token_bound("auto", "auto") == 6240);
  CHECK(image_output_token_bound("4096x4096", "medium") == 1584);  // unknown size: any of the row
}

TEST_CASE("built-in token prices of the media models under LiteLLM's names", "[core][cost][media]") {
  const auto image = builtin("gpt-image-1");
  CHECK(image.input_per_token == 5e-6);
  CHECK(image.input_per_image_token == 10e-6);
  CHECK(image.output_per_image_token == 40e-6);
  const auto transcribe = builtin("gpt-4o-transcribe");
  CHECK(transcribe.input_audio_per_token == 6e-6);
  CHECK(transcribe.output_per_token == 10e-6);
  CHECK(builtin("gpt-4o-mini-transcribe").input_audio_per_token == 3e-6);
  // Not gpt-4o-mini's chat price (the longest prefix wins).
  const auto tts = builtin("gpt-4o-mini-tts");
  CHECK(tts.output_audio_per_token == 12e-6);
  CHECK(tts.input_per_token == 0.6e-6);
  CHECK(builtin_max_output_tokens("gpt-4o-transcribe") == 2000);
  CHECK(priced_by_tokens(MediaKind::image_generation, image));
  CHECK_FALSE(priced_by_tokens(MediaKind::image_generation, builtin("dall-e-3")));
  CHECK_FALSE(priced_by_tokens(MediaKind::rerank, image));
}

TEST_CASE("gpt-image-1: a recorded usage payload is charged exactly, within its bound", "[core][cost][media]") {
  // Recorded from /v1/images/generations (quality medium, 1024x1024; LiteLLM issue #18541).
  const std::string answer =
      R"({"created":1767170804,"data":[{"b64_json":"iVBO"}],"output_format":"png","quality":"medium",)"
      R"("size":"1024x1024","usage":{"input_tokens":23,"input_tokens_details":{"image_tokens":0,"text_tokens":23},)"
      R"("output_tokens":1056,"total_tokens":1079}})";
  const auto price = builtin("gpt-image-1");
  const auto facts = image_request(58, 1, "1024x1024", "medium");
  const auto charge = media_charge(facts, price, 0, answer);
  CHECK(charge.cost == Approx(23 * 5e-6 + 1056 * 40e-6).epsilon(1e-12));
  CHECK(charge.usage.prompt_tokens == 23);
  CHECK(charge.usage.completion_tokens == 1056);
  const double bound = media_cost_bound(facts, price, 0);
  CHECK(bound == Approx((58 + kBoundTokensPerRequest) * 10e-6 + 1056 * 40e-6).epsilon(1e-12));
  CHECK(charge.cost <= bound);

  SECTION("image input tokens (an edit) at the image-token price") {
    const std::string edit =
        R"({"data":[],"usage":{"input_tokens":400,"input_tokens_details":{"image_tokens":300,"text_tokens":100},)"
        R"("output_tokens":272}})";
    const auto cost = media_charge(image_request(4000, 1, "1024x1024", "low"), price, 0, edit).cost;
    CHECK(cost == Approx(100 * 5e-6 + 300 * 10e-6 + 272 * 40e-6).epsilon(1e-12));
  }
  SECTION("a provider reporting more than the bound is charged the bound") {
    const auto low = image_request(58, 1, "1024x1024", "low");  // at most 272 output tokens
    const auto capped = media_charge(low, price, 0, answer);
    CHECK(capped.cost == Approx(media_cost_bound(low, price, 0)).epsilon(1e-12));
  }
  SECTION("n images bound n times the per-image tokens") {
    const auto two = image_request(10, 2, "1536x1024", "high");
    CHECK(media_cost_bound(two, price, 0) == Approx((10 + kBoundTokensPerRequest) * 10e-6 + 2 * 6208 * 40e-6));
  }
  SECTION("an answer without usage is charged its bound") {
    CHECK(media_charge(facts, price, 0, R"({"data":[{"url":"x"}]})").cost == Approx(bound).epsilon(1e-12));
  }
  SECTION("a per-image price, when set, wins over the token prices") {
    auto per_image = price;
    per_image.output_per_image = 0.04;
    CHECK(media_charge(facts, per_image, 0, answer).cost == Approx(0.04).epsilon(1e-12));
  }
}

TEST_CASE("gpt-4o-transcribe: a recorded token usage is charged exactly, within its bound", "[core][cost][media]") {
  // OpenAI's documented transcription answer with token usage.
  const std::string answer =
      R"({"text":"Imagine the wildest idea that you've ever had.","usage":{"type":"tokens","input_tokens":14,)"
      R"("input_token_details":{"text_tokens":0,"audio_tokens":14},"output_tokens":45,"total_tokens":59}})";
  const auto price = builtin("gpt-4o-transcribe");
  const auto facts = transcription_request(50'000, 0);  // at most 100 s of audio
  const auto charge = media_charge(facts, price, 2000, answer);
  CHECK(charge.cost == Approx(14 * 6e-6 + 45 * 10e-6).epsilon(1e-12));
  CHECK(charge.usage.prompt_tokens == 14);
  CHECK(charge.usage.audio_prompt_tokens == 14);
  CHECK(charge.usage.completion_tokens == 45);
  const double bound = media_cost_bound(facts, price, 2000);
  CHECK(
      bound ==
      Approx(kBoundTokensPerRequest * 2.5e-6 + 100 * kBoundAudioTokensPerSecond * 6e-6 + 2000 * 10e-6).epsilon(1e-12));

  SECTION("mini: its own prices; prompt text tokens at the text price") {
    const std::string mini =
        R"({"text":"x","usage":{"type":"tokens","input_tokens":120,)"
        R"("input_token_details":{"text_tokens":20,"audio_tokens":100},"output_tokens":30,"total_tokens":150}})";
    const auto cost = media_charge(transcription_request(50'000, 80), builtin("gpt-4o-mini-transcribe"), 2000, mini);
    CHECK(cost.cost == Approx(20 * 1.25e-6 + 100 * 3e-6 + 30 * 5e-6).epsilon(1e-12));
  }
  SECTION("a text answer (no usage) is charged the bound") {
    CHECK(media_charge(facts, price, 2000, "Imagine the wildest idea\n").cost == Approx(bound).epsilon(1e-12));
  }
  SECTION("more audio than the upload can hold is charged the bound") {
    const std::string inflated =
        R"({"text":"x","usage":{"type":"tokens","input_tokens":900000,)"
        R"("input_token_details":{"text_tokens":0,"audio_tokens":900000},"output_tokens":1,"total_tokens":900001}})";
    CHECK(media_charge(facts, price, 2000, inflated).cost == Approx(bound).epsilon(1e-12));
  }
  SECTION("whisper's duration usage on a token-priced model says nothing: the bound") {
    CHECK(media_charge(facts, price, 2000, R"({"text":"x","usage":{"type":"duration","seconds":3}})").cost ==
          Approx(bound).epsilon(1e-12));
  }
}

TEST_CASE("gpt-4o-mini-tts: no usage in the audio answer, charged its bound from the input", "[core][cost][media]") {
  MediaRequestFacts facts;
  facts.kind = MediaKind::speech;
  facts.characters = 11;  // "héllo wörld"
  facts.units = {11, 11};
  facts.text_bytes = 13 + 20;  // input and instructions, UTF-8 bytes
  const auto price = builtin("gpt-4o-mini-tts");
  const double bound = media_cost_bound(facts, price, 2000);
  CHECK(
      bound ==
      Approx((33 + kBoundTokensPerRequest) * 0.6e-6 + 11 * kBoundSpeechAudioTokensPerCharacter * 12e-6).epsilon(1e-12));
  CHECK(media_charge(facts, price, 2000, "ID3\x04...").cost == Approx(bound).epsilon(1e-12));
  // tts-1 stays per character.
  CHECK(media_charge(facts, builtin("tts-1"), 0, "ID3").cost == Approx(11 * 15e-6).epsilon(1e-12));
}
