// Media pricing (core/media_cost.h) and the reasoning/audio token prices of core::cost_of.
#include <catch2/catch.hpp>

#include <string>

#include "core/media_cost.h"

using namespace tollgate::core;

namespace {

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A WAV with an extra chunk before fmt (a LIST chunk, as many encoders write).
std::string wav(std::uint32_t byte_rate, std::uint32_t data_bytes, std::uint32_t declared_data_bytes) {
  std::string fmt =
      std::string("\x01\x00\x01\x00", 4) + le32(byte_rate / 2) + le32(byte_rate) + std::string("\x02\x00\x10\x00", 4);
  std::string out = "RIFF" + le32(0) + "WAVE" + "LIST" + le32(3) + "abc" + std::string(1, '\0') + "fmt " + le32(16) +
                    fmt + "data" + le32(declared_data_bytes);
  out.append(data_bytes, '\0');
  return out;
}

}  // namespace

TEST_CASE("each media endpoint's unit price and call type", "[core][cost][media]") {
  ModelPrice p;
  p.output_per_image = 0.04;
  p.input_per_character = 15e-6;
  p.input_per_second = 1e-4;
  p.input_per_query = 0.002;
  CHECK(media_unit_price(MediaKind::image_generation, p) == 0.04);
  CHECK(media_unit_price(MediaKind::speech, p) == 15e-6);
  CHECK(media_unit_price(MediaKind::transcription, p) == 1e-4);
  CHECK(media_unit_price(MediaKind::rerank, p) == 0.002);
  CHECK(media_unit_price(MediaKind::moderation, p) == 0);
  CHECK(media_call_type(MediaKind::image_generation) == "aimage_generation");
  CHECK(media_call_type(MediaKind::transcription) == "atranscription");
  CHECK(builtin_price("dall-e-3")->output_per_image == 0.04);
  CHECK(builtin_price("tts-1-hd")->input_per_character == 30e-6);
  CHECK(builtin_price("whisper-1")->input_per_second == 1e-4);
  CHECK(builtin_price("omni-moderation-latest").has_value());
}

TEST_CASE("settled units: reported, else the fallback, never above the bound", "[core][cost][media]") {
  const MediaUnits units{10, 4};
  CHECK(settled_media_units(units, 3.0) == 3);
  CHECK(settled_media_units(units, std::nullopt) == 4);
  CHECK(settled_media_units(units, 25.0) == 10);  // a provider over-reporting is capped by the reservation
  CHECK(settled_media_units(units, -1.0) == 0);
}

TEST_CASE("units reported in providers' answers", "[core][cost][media]") {
  using K = MediaKind;
  struct Row {
    K kind;
    const char* answer;
    std::optional<double> units;
  };
  const Row rows[] = {
      {K::image_generation, R"({"created":1,"data":[{"url":"a"},{"url":"b"}]})", 2.0},
      {K::image_generation, R"({"created":1})", std::nullopt},
      {K::transcription, R"({"text":"hi","usage":{"type":"duration","seconds":7}})", 7.0},
      {K::transcription, R"({"task":"transcribe","duration":2.5,"text":"hi"})", 2.5},
      {K::transcription, R"({"text":"hi","usage":{"type":"tokens","input_tokens":5}})", std::nullopt},
      {K::transcription, "hello there\n", std::nullopt},  // response_format=text
      {K::rerank, R"({"results":[],"meta":{"billed_units":{"search_units":3}}})", 3.0},
      {K::rerank, R"({"results":[],"usage":{"total_tokens":12}})", std::nullopt},  // Jina: no search units
      {K::speech, "ID3\x04...", std::nullopt},
      {K::moderation, R"({"results":[]})", std::nullopt},
  };
  for (const auto& row : rows) {
    INFO(row.answer);
    CHECK(reported_media_units(row.kind, row.answer) == row.units);
  }
}

TEST_CASE("speech is priced per character, not per byte", "[core][cost][media]") {
  CHECK(utf8_characters("hello") == 5);
  CHECK(utf8_characters("h\xc3\xa9llo") == 5);              // é: 2 bytes
  CHECK(utf8_characters("\xe4\xbd\xa0\xe5\xa5\xbd") == 2);  // 你好
  CHECK(utf8_characters("\xf0\x9f\x98\x80") == 1);          // an emoji: 4 bytes
  CHECK(utf8_characters("") == 0);
}

TEST_CASE("transcription seconds: bounded by the upload's size, exact from a WAV header", "[core][cost][media]") {
  CHECK(audio_seconds_bound(0) == 0);
  CHECK(audio_seconds_bound(500) == 1);
  CHECK(audio_seconds_bound(501) == 2);
  CHECK(audio_seconds_bound(25 * 1000 * 1000) == 50'000);
  CHECK(wav_duration_seconds(wav(32000, 80000, 80000)) == Approx(2.5));
  // A streamed WAV declares 0xFFFFFFFF bytes of data: what the file holds counts.
  CHECK(wav_duration_seconds(wav(32000, 32000, 0xFFFFFFFFu)) == Approx(1.0));
  CHECK_FALSE(wav_duration_seconds("ID3\x04 an mp3").has_value());
  CHECK_FALSE(wav_duration_seconds(wav(0, 100, 100)).has_value());
  CHECK_FALSE(wav_duration_seconds(wav(32000, 100, 100).substr(0, 30)).has_value());  // cut inside a chunk
  // Every bound covers the exact duration of audio at the lowest accepted rate.
  const auto lowest = wav(static_cast<std::uint32_t>(kMinAudioBytesPerSecond), 5000, 5000);
  CHECK(*wav_duration_seconds(lowest) <= audio_seconds_bound(lowest.size()));
}

TEST_CASE("rerank search units: 100 documents each, long documents once per chunk in the bound",
          "[core][cost][media]") {
  CHECK(rerank_units({10, 20, 30}).bound == 1);
  CHECK(rerank_units({10, 20, 30}).fallback == 1);
  const std::vector<std::size_t> hundred_and_one(101, 100);
  CHECK(rerank_units(hundred_and_one).bound == 2);
  CHECK(rerank_units(hundred_and_one).fallback == 2);
  // 50 documents of 1,000 bytes: at most 4 chunks of 256 tokens each → 200 chunks → 2 units.
  const std::vector<std::size_t> long_docs(50, 1000);
  CHECK(rerank_units(long_docs).bound == 2);
  CHECK(rerank_units(long_docs).fallback == 1);
}

TEST_CASE("reasoning and audio tokens at their own prices, each counted once", "[core][cost]") {
  ModelPrice p;
  p.input_per_token = 2.5e-6;
  p.output_per_token = 10e-6;
  p.input_audio_per_token = 40e-6;
  p.output_audio_per_token = 80e-6;
  p.output_reasoning_per_token = 12e-6;
  Usage u;
  u.prompt_tokens = 100;
  u.audio_prompt_tokens = 30;
  u.completion_tokens = 200;
  u.reasoning_tokens = 50;
  u.audio_completion_tokens = 120;
  CHECK(cost_of(u, p) == Approx(70 * 2.5e-6 + 30 * 40e-6 + 30 * 10e-6 + 50 * 12e-6 + 120 * 80e-6).epsilon(1e-12));
  // Without their own prices, reasoning and audio tokens cost what text tokens do.
  const ModelPrice plain{2.5e-6, 10e-6};
  CHECK(cost_of(u, plain) == Approx(100 * 2.5e-6 + 200 * 10e-6).epsilon(1e-12));
  // A provider over-reporting a kind never makes the total exceed the completion it reported.
  u.reasoning_tokens = 500;
  CHECK(cost_of(u, p) == Approx(70 * 2.5e-6 + 30 * 40e-6 + 200 * 12e-6).epsilon(1e-12));
  CHECK(p.highest_output_per_token() == 80e-6);
  CHECK(p.highest_input_per_token() == 40e-6);
}
