// tollgate-mock's media answers (tools/mock/media.h): the shapes and usage the gateway prices.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tools/mock/media.h"

using namespace tollgate::mock;

namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

std::string canonical_wav(std::uint32_t byte_rate, std::uint32_t data_bytes) {
  return "RIFF" + le32(36 + data_bytes) + "WAVEfmt " + le32(16) + std::string("\x01\x00\x01\x00", 4) +
         le32(byte_rate / 2) + le32(byte_rate) + std::string("\x02\x00\x10\x00", 4) + "data" + le32(data_bytes) +
         std::string(data_bytes, '\x01');
}

std::string form(const std::string& format, const std::string& file) {
  std::string out = "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n";
  if (!format.empty()) {
    out += "--B\r\nContent-Disposition: form-data; name=\"response_format\"\r\n\r\n" + format + "\r\n";
  }
  return out + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\n" + file +
         "\r\n--B--\r\n";
}

}  // namespace

TEST_CASE("mock media: which paths it answers", "[mock][media]") {
  for (const char* path :
       {"/v1/images/generations", "/audio/speech", "/v1/audio/transcriptions", "/v1/moderations", "/v1/rerank"}) {
    CHECK(is_media_path(path));
  }
  CHECK_FALSE(is_media_path("/v1/chat/completions"));
  CHECK_FALSE(is_media_path("/v1/images/edits"));
}

TEST_CASE("mock media: transcriptions bill whole seconds of a canonical WAV", "[mock][media]") {
  const auto file = canonical_wav(32000, 80000);  // 2.5 s
  CHECK(canonical_wav_seconds(file) == Approx(2.5));
  CHECK(canonical_wav_seconds("not a wav") == 0);
  const auto type = "multipart/form-data; boundary=B";
  auto reply = answer_media("/v1/audio/transcriptions", type, form("", file), 1);
  REQUIRE(reply.status == 200);
  CHECK(reply.model == "whisper-1");
  CHECK(json(reply.body)["usage"]["seconds"].GetInt() == 3);
  reply = answer_media("/v1/audio/transcriptions", type, form("verbose_json", file), 1);
  CHECK(json(reply.body)["duration"].GetDouble() == Approx(2.5));
  reply = answer_media("/v1/audio/transcriptions", type, form("text", file), 1);
  CHECK(reply.content_type.rfind("text/plain", 0) == 0);
  reply = answer_media("/v1/audio/transcriptions", type, "--B--\r\n", 1);
  CHECK(reply.status == 400);
}

TEST_CASE("mock media: images, speech, moderations and rerank", "[mock][media]") {
  auto reply = answer_media("/v1/images/generations", "application/json",
                            R"({"model":"dall-e-3","prompt":"p","n":3,"response_format":"b64_json"})", 7);
  CHECK(reply.model == "dall-e-3");
  CHECK(json(reply.body)["data"].Size() == 3);
  CHECK(json(reply.body)["data"][0].HasMember("b64_json"));
  reply = answer_media("/v1/audio/speech", "application/json", R"({"model":"tts-1","input":"hi"})", 7);
  CHECK(reply.content_type == "audio/mpeg");
  CHECK(reply.body.rfind("ID3", 0) == 0);
  reply = answer_media("/v1/moderations", "application/json", R"({"model":"m","input":"fine"})", 7);
  CHECK_FALSE(json(reply.body)["results"][0]["flagged"].GetBool());
  reply = answer_media("/v1/rerank", "application/json",
                       R"({"model":"r","query":"q","documents":["a","b","c"],"top_n":2})", 7);
  const auto ranked = json(reply.body);
  CHECK(ranked["results"].Size() == 2);
  CHECK(ranked["meta"]["billed_units"]["search_units"].GetInt() == 1);
  CHECK(answer_media("/v1/rerank", "application/json", "[]", 7).status == 400);
}

TEST_CASE("mock media: token-priced models report usage as OpenAI's do", "[mock][media]") {
  auto reply =
      answer_media("/v1/images/generations", "application/json",
                   R"({"model":"gpt-image-1","prompt":"a lighthouse","n":2,"quality":"high","size":"1536x1024"})", 1);
  REQUIRE(reply.status == 200);
  auto body = json(reply.body);
  CHECK(body["data"].Size() == 2);
  CHECK(body["usage"]["input_tokens"].GetInt() == 3);  // 12 bytes / 4
  CHECK(body["usage"]["input_tokens_details"]["text_tokens"].GetInt() == 3);
  CHECK(body["usage"]["output_tokens"].GetInt() == 2 * 6208);
  // dall-e-3 answers without usage.
  CHECK_FALSE(
      json(answer_media("/v1/images/generations", "application/json", R"({"model":"dall-e-3","prompt":"x"})", 2).body)
          .HasMember("usage"));

  std::string transcribe = form("", canonical_wav(32000, 80000));  // 2.5 s
  const auto at = transcribe.find("whisper-1");
  transcribe.replace(at, 9, "gpt-4o-transcribe");
  reply = answer_media("/v1/audio/transcriptions", "multipart/form-data; boundary=B", transcribe, 3);
  REQUIRE(reply.status == 200);
  body = json(reply.body);
  CHECK(std::string(body["usage"]["type"].GetString()) == "tokens");
  CHECK(body["usage"]["input_token_details"]["audio_tokens"].GetInt() == 25);
  CHECK(body["usage"]["output_tokens"].GetInt() == 4);
}
