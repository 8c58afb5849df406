// The media endpoints through the gateway to tollgate-mock over loopback: images, speech,
// transcriptions (multipart), moderations and rerank — the deployment's model and credential
// sent, the answer relayed with its content type, each call priced per unit from model_info,
// reserved against budgets with its bound, checked against model access, retried, logged.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kProviderKey = "sk-media-provider-" + std::to_string(::getpid());
constexpr const char* kBoundary = "----tollgate-media-test";

std::string deployment(const MockUpstream& mock, const std::string& group, const std::string& model,
                       const std::string& model_info) {
  return "  - model_name: " + group + "\n    litellm_params:\n      model: \"" + model +
         "\"\n      api_base: http://127.0.0.1:" + std::to_string(mock.port()) + "/v1\n      api_key: " + kProviderKey +
         "\n    model_info: {" + model_info + "}\n";
}

std::string media_config(const MockUpstream& mock, const std::string& extra = "") {
  register_secret(kProviderKey);
  return "model_list:\n" + deployment(mock, "painter", "openai/dall-e-3", "output_cost_per_image: 0.04") +
         deployment(mock, "voice", "openai/tts-1", "input_cost_per_character: 0.000015") +
         deployment(mock, "ear", "openai/whisper-1", "input_cost_per_second: 0.0001") +
         deployment(mock, "guard", "openai/omni-moderation-latest", "mode: moderation") +
         deployment(mock, "ranker", "cohere/rerank-english-v3.0", "input_cost_per_query: 0.002") +
         deployment(mock, "broken-painter", "openai/dall-e-3+status-503", "output_cost_per_image: 0.04") +
         deployment(mock, "refused-painter", "openai/dall-e-3+status-400", "output_cost_per_image: 0.04") +
         deployment(mock, "claude", "anthropic/claude-3-5-haiku-20241022", "") + extra;
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

double cost_header(const HttpReply& reply) { return std::stod(reply.header("x-litellm-response-cost")); }

// A canonical PCM WAV: 16 kHz, mono, 16-bit, `seconds` long (a quiet ramp).
std::string wav(double seconds) {
  const std::uint32_t rate = 16000;
  const auto samples = static_cast<std::uint32_t>(seconds * rate);
  std::string out;
  auto u32 = [&out](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  auto u16 = [&out](std::uint16_t v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>(v >> 8);
  };
  out += "RIFF";
  u32(36 + samples * 2);
  out += "WAVEfmt ";
  u32(16);
  u16(1);         // PCM
  u16(1);         // mono
  u32(rate);      // sample rate
  u32(rate * 2);  // byte rate
  u16(2);         // block align
  u16(16);        // bits per sample
  out += "data";
  u32(samples * 2);
  for (std::uint32_t i = 0; i < samples; ++i) u16(static_cast<std::uint16_t>(i % 64));
  return out;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& file) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
           "\r\n";
  }
  if (!file.empty()) {
    out += std::string("--") + kBoundary +
           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hello.wav\"\r\nContent-Type: "
           "audio/wav\r\n\r\n" +
           file + "\r\n";
  }
  return out + "--" + kBoundary + "--\r\n";
}

HeaderList form_headers(const std::string& key) {
  return {{"Authorization", "Bearer " + key},
          {"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}};
}

double key_spend(const TestGateway& gw, const std::string& key, double at_least) {
  double spend = 0;
  for (int i = 0; i < 50 && spend < at_least - 1e-12; ++i) {
    std::this_thread::sleep_for(100ms);
    const auto info = json(http_request(gw.port(), "GET", "/key/info?key=" + key, "", bearer(gw.master_key())).body);
    spend = info["info"]["spend"].GetDouble();
  }
  return spend;
}

}  // namespace

TEST_CASE("images: n images generated, priced per image, the deployment's model and key sent", "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  const auto reply =
      http_request(gw.port(), "POST", "/v1/images/generations",
                   R"({"model":"painter","prompt":"a lighthouse","n":2,"size":"1024x1024"})", bearer(key));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  REQUIRE(body["data"].IsArray());
  CHECK(body["data"].Size() == 2);
  CHECK(cost_header(reply) == Approx(0.08).epsilon(1e-12));
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/v1/images/generations");
  CHECK(str(last["headers"]["authorization"]) == "Bearer " + kProviderKey);
  CHECK(str(json(str(last["body"]))["model"]) == "dall-e-3");
  CHECK(key_spend(gw, key, 0.08) == Approx(0.08).epsilon(1e-12));
  const auto logs =
      json(http_request(gw.port(), "GET", "/spend/logs?api_key=" + key, "", bearer(gw.master_key())).body);
  REQUIRE(logs.IsArray());
  REQUIRE(logs.Size() == 1);
  CHECK(str(logs[0]["call_type"]) == "aimage_generation");
  CHECK(str(logs[0]["model_group"]) == "painter");
  CHECK(reply.body.find(kProviderKey) == std::string::npos);
  // /model/info shows the unit prices under LiteLLM's names.
  const auto info =
      json(http_request(gw.port(), "GET", "/v2/model/info?model=painter", "", bearer(gw.master_key())).body);
  REQUIRE(info["data"].Size() == 1);
  CHECK(info["data"][0]["model_info"]["output_cost_per_image"].GetDouble() == 0.04);
}

TEST_CASE("speech: audio bytes relayed with their content type, priced per input character", "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  // "héllo wörld": 11 characters in 13 UTF-8 bytes: characters are what is priced.
  const auto reply = http_request(gw.port(), "POST", "/v1/audio/speech",
                                  R"({"model":"voice","input":"h\u00e9llo w\u00f6rld","voice":"alloy"})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(reply.header("content-type") == "audio/mpeg");
  CHECK(reply.body.rfind("ID3", 0) == 0);
  CHECK(cost_header(reply) == Approx(11 * 0.000015).epsilon(1e-12));
  CHECK(str(json(str(mock.last()["body"]))["model"]) == "tts-1");
  CHECK(key_spend(gw, key, 11 * 0.000015) == Approx(11 * 0.000015).epsilon(1e-12));
}

TEST_CASE("transcriptions: a multipart upload forwarded with the deployment's model, priced per second",
          "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  const auto audio = wav(2.5);

  SECTION("json: the provider's usage.seconds (whole seconds) is charged") {
    const auto reply =
        http_request(gw.port(), "POST", "/v1/audio/transcriptions", form({{"model", "ear"}}, audio), form_headers(key));
    REQUIRE(reply.status == 200);
    CHECK(str(json(reply.body)["text"]) == "tollgate mock transcription");
    CHECK(cost_header(reply) == Approx(3 * 0.0001).epsilon(1e-12));
    const auto last = mock.last();
    CHECK(str(last["path"]) == "/v1/audio/transcriptions");
    const auto sent = str(last["body"]);
    CHECK(sent.find("name=\"model\"\r\n\r\nwhisper-1\r\n") != std::string::npos);
    CHECK(sent.find(audio) != std::string::npos);  // the file's bytes, unchanged
  }
  SECTION("verbose_json: the duration is charged") {
    const auto reply =
        http_request(gw.port(), "POST", "/v1/audio/transcriptions",
                     form({{"model", "ear"}, {"response_format", "verbose_json"}}, audio), form_headers(key));
    REQUIRE(reply.status == 200);
    CHECK(cost_header(reply) == Approx(2.5 * 0.0001).epsilon(1e-9));
  }
  SECTION("text: no usage in the answer, so the WAV header's duration is charged") {
    const auto reply = http_request(gw.port(), "POST", "/v1/audio/transcriptions",
                                    form({{"model", "ear"}, {"response_format", "text"}}, audio), form_headers(key));
    REQUIRE(reply.status == 200);
    CHECK(reply.header("content-type").rfind("text/plain", 0) == 0);
    CHECK(cost_header(reply) == Approx(2.5 * 0.0001).epsilon(1e-9));
  }
  SECTION("malformed forms are refused at the edge with the OpenAI envelope") {
    auto reply =
        http_request(gw.port(), "POST", "/v1/audio/transcriptions", form({{"model", "ear"}}, ""), form_headers(key));
    CHECK(reply.status == 400);
    CHECK(str(json(reply.body)["error"]["param"]) == "file");
    reply = http_request(gw.port(), "POST", "/v1/audio/transcriptions", R"({"model":"ear"})", bearer(key));
    CHECK(reply.status == 400);
    CHECK_THAT(str(json(reply.body)["error"]["message"]), Catch::Contains("multipart/form-data"));
    const auto cut = form({{"model", "ear"}}, audio);
    reply =
        http_request(gw.port(), "POST", "/v1/audio/transcriptions", cut.substr(0, cut.size() - 30), form_headers(key));
    CHECK(reply.status == 400);
    CHECK_THAT(str(json(reply.body)["error"]["message"]), Catch::Contains("not closed"));
    CHECK(mock.requests_for_model("whisper-1") == 0);
  }
}

TEST_CASE("transcriptions: an upload above max_request_body_bytes gets 413 before reaching the upstream",
          "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock, "general_settings:\n  max_request_body_bytes: 65536\n"));
  const auto reply = http_request(gw.port(), "POST", "/v1/audio/transcriptions", form({{"model", "ear"}}, wav(3)),
                                  form_headers(gw.master_key()));
  CHECK(reply.status == 413);
  CHECK(json(reply.body)["error"].IsObject());
  CHECK(mock.requests_for_model("whisper-1") == 0);
}

TEST_CASE("moderations are free but logged; rerank is priced per search unit", "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  auto reply =
      http_request(gw.port(), "POST", "/v1/moderations", R"({"model":"guard","input":"please flag-me"})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(json(reply.body)["results"][0]["flagged"].GetBool());
  CHECK(cost_header(reply) == 0);
  reply = http_request(
      gw.port(), "POST", "/v1/rerank",
      R"({"model":"ranker","query":"capital of France","documents":["Paris","Berlin","Rome"],"top_n":2})", bearer(key));
  REQUIRE(reply.status == 200);
  const auto ranked = json(reply.body);
  CHECK(ranked["results"].Size() == 2);
  CHECK(cost_header(reply) == Approx(0.002).epsilon(1e-12));
  CHECK(str(mock.last()["path"]) == "/v1/rerank");
  CHECK(key_spend(gw, key, 0.002) == Approx(0.002).epsilon(1e-12));
  std::this_thread::sleep_for(1200ms);
  const auto logs =
      json(http_request(gw.port(), "GET", "/spend/logs?api_key=" + key, "", bearer(gw.master_key())).body);
  REQUIRE(logs.IsArray());
  std::vector<std::string> types;
  for (const auto& row : logs.GetArray()) types.push_back(str(row["call_type"]));
  CHECK_THAT(types, Catch::UnorderedEquals(std::vector<std::string>{"amoderation", "arerank"}));
}

TEST_CASE("media requests reserve their bound against the budget and obey model access", "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock));
  // Two images at $0.04 cannot fit $0.05; one can.
  const auto key = issue_key(gw, R"({"max_budget":0.05})");
  auto reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"painter","prompt":"x","n":2})",
                            bearer(key));
  CHECK(reply.status == 429);
  CHECK(str(json(reply.body)["error"]["type"]) == "budget_exceeded");
  CHECK(mock.requests_for_model("dall-e-3") == 0);
  reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"painter","prompt":"x","n":1})",
                       bearer(key));
  CHECK(reply.status == 200);

  const auto voice_only = issue_key(gw, R"({"models":["voice"]})");
  reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"painter","prompt":"x"})",
                       bearer(voice_only));
  CHECK(reply.status == 403);
  reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"painter","prompt":"x"})");
  CHECK(reply.status == 401);
  reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"painter","prompt":"x","n":11})",
                       bearer(key));
  CHECK(reply.status == 400);
  CHECK(str(json(reply.body)["error"]["param"]) == "n");
}

TEST_CASE("media calls retry failing upstreams, refuse non-OpenAI deployments, never charge failures",
          "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock, "router_settings:\n  num_retries: 2\n  disable_cooldowns: true\n"));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  auto reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"broken-painter","prompt":"x"})",
                            bearer(key));
  CHECK(reply.status == 503);
  CHECK(reply.header("x-litellm-attempted-retries") == "2");
  CHECK(mock.requests_for_model("dall-e-3+status-503") == 3);
  reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"refused-painter","prompt":"x"})",
                       bearer(key));
  CHECK(reply.status == 400);
  CHECK(mock.requests_for_model("dall-e-3+status-400") == 1);  // a bad request is not retried
  reply = http_request(gw.port(), "POST", "/v1/audio/speech", R"({"model":"claude","input":"hi","voice":"alloy"})",
                       bearer(key));
  CHECK(reply.status == 400);
  CHECK_THAT(str(json(reply.body)["error"]["message"]), Catch::Contains("only OpenAI-wire deployments"));
  std::this_thread::sleep_for(1200ms);
  const auto info = json(http_request(gw.port(), "GET", "/key/info?key=" + key, "", bearer(gw.master_key())).body);
  CHECK(info["info"]["spend"].GetDouble() == 0);
}
