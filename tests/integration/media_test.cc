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
    // A field the gateway reads, twice: the reservation and the charge would be bounded by a
    // tiny first file while a provider reading the last one transcribes a long second.
    auto twice = form({{"model", "ear"}}, wav(0.1));
    twice.insert(twice.rfind(std::string("--") + kBoundary + "--"),
                 std::string("--") + kBoundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"long.wav\"\r\n\r\n" + wav(30) +
                     "\r\n");
    reply = http_request(gw.port(), "POST", "/v1/audio/transcriptions", twice, form_headers(key));
    CHECK(reply.status == 400);
    CHECK(str(json(reply.body)["error"]["param"]) == "file");
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

TEST_CASE("moderations are free but logged, rerank is priced per search unit", "[integration][media]") {
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

// As a chat answer the gateway cannot read (upstream_fault_test.cc): the provider answered and
// charged for it, so the call is charged what the request says it costs, not nothing.
TEST_CASE("media: a successful answer larger than the gateway buffers (64 MiB) is a 502 charged its price",
          "[integration][media][faults][budgets]") {
  MockUpstream mock;
  TestGateway gw(media_config(
      mock, deployment(mock, "huge-painter", "openai/dall-e-3+size-67108864", "output_cost_per_image: 0.04")));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  const auto reply = http_request(gw.port(), "POST", "/v1/images/generations",
                                  R"({"model":"huge-painter","prompt":"x","n":1})", bearer(key));
  CHECK(reply.status == 502);
  CHECK_THAT(str(json(reply.body)["error"]["message"]), Catch::Contains("larger than the gateway accepts"));
  CHECK(reply.header("x-litellm-attempted-retries") == "0");  // answered: not retried
  CHECK(reply.body.find(kProviderKey) == std::string::npos);
  CHECK(key_spend(gw, key, 0.04) == Approx(0.04).epsilon(1e-12));
  CHECK(http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"painter","prompt":"x"})", bearer(key))
            .status == 200);
}

// --- End users (LiteLLM's customers) on the media endpoints: the same admission as chat.

namespace {

HeaderList with_end_user(const std::string& key, const std::string& end_user) {
  return {{"Authorization", "Bearer " + key}, {"x-litellm-end-user-id", end_user}};
}

double end_user_spend(const TestGateway& gw, const std::string& id, double at_least) {
  double spend = -1;
  for (int i = 0; i < 50 && spend < at_least - 1e-12; ++i) {
    std::this_thread::sleep_for(100ms);
    const auto reply = http_request(gw.port(), "GET", "/customer/info?end_user_id=" + id, "", bearer(gw.master_key()));
    if (reply.status == 200) spend = json(reply.body)["spend"].GetDouble();
  }
  return spend;
}

}  // namespace

TEST_CASE("media: a blocked end user is refused on every media endpoint, as on chat",
          "[integration][media][customers]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  REQUIRE(
      http_request(gw.port(), "POST", "/customer/block", R"({"user_ids":["cust-blocked"]})", bearer(gw.master_key()))
          .status == 200);
  const std::string message = "User blocked from making LLM API Calls. User=cust-blocked";
  const auto refused = [&](const HttpReply& reply) {
    CHECK(reply.status == 400);
    const auto body = json(reply.body);
    REQUIRE(body["error"].IsObject());
    CHECK(str(body["error"]["message"]) == message);
    CHECK(str(body["error"]["type"]) == "invalid_request_error");
  };
  // The body's `user` (JSON and multipart) and the x-litellm-end-user-id header.
  refused(http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"painter","prompt":"x","user":"cust-blocked"})", bearer(key)));
  refused(http_request(gw.port(), "POST", "/v1/audio/speech",
                       R"({"model":"voice","input":"hi","voice":"alloy","user":"cust-blocked"})", bearer(key)));
  refused(http_request(gw.port(), "POST", "/v1/audio/transcriptions",
                       form({{"model", "ear"}, {"user", "cust-blocked"}}, wav(1)), form_headers(key)));
  refused(http_request(gw.port(), "POST", "/v1/moderations", R"({"model":"guard","input":"x"})",
                       with_end_user(key, "cust-blocked")));
  refused(http_request(gw.port(), "POST", "/v1/rerank", R"({"model":"ranker","query":"q","documents":["a"]})",
                       with_end_user(gw.master_key(), "cust-blocked")));  // the master key too
  CHECK(mock.stats()["requests"].GetInt() == 0);
  // Another end user passes.
  CHECK(http_request(gw.port(), "POST", "/v1/images/generations",
                     R"({"model":"painter","prompt":"x","user":"cust-free"})", bearer(key))
            .status == 200);
}

TEST_CASE("media: an end user's budget holds on images, speech and transcriptions, and its spend is recorded",
          "[integration][media][customers]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock));
  const auto key = issue_key(gw, R"({"max_budget":10})");
  REQUIRE(http_request(gw.port(), "POST", "/customer/new", R"({"user_id":"cust-m","max_budget":0.07})",
                       bearer(gw.master_key()))
              .status == 200);
  // Two images ($0.08) cannot fit the end user's $0.07, although the key has $10.
  auto reply = http_request(gw.port(), "POST", "/v1/images/generations",
                            R"({"model":"painter","prompt":"x","n":2,"user":"cust-m"})", bearer(key));
  CHECK(reply.status == 429);
  CHECK(str(json(reply.body)["error"]["type"]) == "budget_exceeded");
  CHECK_THAT(str(json(reply.body)["error"]["message"]), Catch::Contains("End User=cust-m"));
  CHECK(mock.requests_for_model("dall-e-3") == 0);
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"painter","prompt":"x","n":1,"user":"cust-m"})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(end_user_spend(gw, "cust-m", 0.04) == Approx(0.04).epsilon(1e-12));
  // Speech through the header, a transcription through the form's `user` (reserving 161 s of
  // audio, $0.0161, for its 80 kB upload): charged to the end user.
  reply = http_request(gw.port(), "POST", "/v1/audio/speech", R"({"model":"voice","input":"hello","voice":"alloy"})",
                       with_end_user(key, "cust-m"));
  REQUIRE(reply.status == 200);
  reply = http_request(gw.port(), "POST", "/v1/audio/transcriptions",
                       form({{"model", "ear"}, {"user", "cust-m"}}, wav(2.5)), form_headers(key));
  REQUIRE(reply.status == 200);
  const double expected = 0.04 + 5 * 0.000015 + 3 * 0.0001;
  CHECK(end_user_spend(gw, "cust-m", expected) == Approx(expected).epsilon(1e-9));
  // Now $0.04 is not left ($0.07 - $0.040375): one more image is refused.
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"painter","prompt":"x","user":"cust-m"})", bearer(key));
  CHECK(reply.status == 429);
  std::this_thread::sleep_for(1200ms);
  const auto logs =
      json(http_request(gw.port(), "GET", "/spend/logs?api_key=" + key, "", bearer(gw.master_key())).body);
  REQUIRE(logs.IsArray());
  CHECK(logs.Size() == 3);
  for (const auto& row : logs.GetArray()) CHECK(str(row["metadata"]["user_api_key_end_user_id"]) == "cust-m");
}

// --- Token-priced media models: usage from the answer, the bound reserved.

TEST_CASE("media: gpt-image-1 and gpt-4o-transcribe are charged from their token usage at the built-in prices",
          "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(mock, deployment(mock, "image-tokens", "openai/gpt-image-1", "") +
                                        deployment(mock, "ear-tokens", "openai/gpt-4o-transcribe", "") +
                                        deployment(mock, "tts-tokens", "openai/gpt-4o-mini-tts", "")));
  // The bound of an image at an unsaid quality (high, the largest size: 6,240 output tokens at
  // $40 per million ≈ $0.25) does not fit $0.2; a medium 1024x1024 one does.
  const auto key = issue_key(gw, R"({"max_budget":0.2})");
  auto reply = http_request(gw.port(), "POST", "/v1/images/generations",
                            R"({"model":"image-tokens","prompt":"a lighthouse"})", bearer(key));
  CHECK(reply.status == 429);
  CHECK(mock.requests_for_model("gpt-image-1") == 0);
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"image-tokens","prompt":"a lighthouse","size":"1024x1024","quality":"medium"})",
                       bearer(key));
  REQUIRE(reply.status == 200);
  // The mock reports 3 text tokens (12 bytes / 4) and 1,056 image tokens.
  const double image_cost = 3 * 5e-6 + 1056 * 40e-6;
  CHECK(cost_header(reply) == Approx(image_cost).epsilon(1e-12));
  CHECK(json(reply.body)["usage"]["output_tokens"].GetInt() == 1056);

  // 2.5 s of audio: 25 audio tokens, 4 text tokens out.
  reply = http_request(gw.port(), "POST", "/v1/audio/transcriptions", form({{"model", "ear-tokens"}}, wav(2.5)),
                       form_headers(key));
  REQUIRE(reply.status == 200);
  const double transcription_cost = 25 * 6e-6 + 4 * 10e-6;
  CHECK(cost_header(reply) == Approx(transcription_cost).epsilon(1e-12));

  // Speech answers audio without usage: its bound from the input is charged.
  reply = http_request(gw.port(), "POST", "/v1/audio/speech",
                       R"({"model":"tts-tokens","input":"hello","voice":"alloy"})", bearer(key));
  REQUIRE(reply.status == 200);
  const double speech_cost = (5 + 64) * 0.6e-6 + 5 * 8 * 12e-6;
  CHECK(cost_header(reply) == Approx(speech_cost).epsilon(1e-12));

  const double total = image_cost + transcription_cost + speech_cost;
  CHECK(key_spend(gw, key, total) == Approx(total).epsilon(1e-9));
  std::this_thread::sleep_for(1200ms);
  const auto logs =
      json(http_request(gw.port(), "GET", "/spend/logs?api_key=" + key, "", bearer(gw.master_key())).body);
  REQUIRE(logs.IsArray());
  bool image_logged = false;
  for (const auto& row : logs.GetArray()) {
    if (str(row["call_type"]) != "aimage_generation") continue;
    image_logged = true;
    CHECK(row["prompt_tokens"].GetInt() == 3);
    CHECK(row["completion_tokens"].GetInt() == 1056);
  }
  CHECK(image_logged);
}

// --- Fallbacks (router_settings), as chat has them.

TEST_CASE("media: a failing group falls back to the next one, charged once to the deployment that answered",
          "[integration][media]") {
  MockUpstream mock;
  TestGateway gw(media_config(
      mock, deployment(mock, "broken-ear", "openai/whisper-1+status-503", "input_cost_per_second: 0.0001") +
                "router_settings:\n  num_retries: 1\n  disable_cooldowns: true\n"
                "  fallbacks: [{\"broken-painter\": [\"painter\"]}, {\"broken-ear\": [\"ear\"]}]\n"));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  auto reply = http_request(gw.port(), "POST", "/v1/images/generations",
                            R"({"model":"broken-painter","prompt":"x","n":1})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(reply.header("x-litellm-attempted-fallbacks") == "1");
  CHECK(reply.header("x-litellm-model-group") == "painter");
  CHECK(cost_header(reply) == Approx(0.04).epsilon(1e-12));
  CHECK(mock.requests_for_model("dall-e-3+status-503") == 2);  // the first try and its retry
  CHECK(mock.requests_for_model("dall-e-3") == 1);
  // The multipart upload is sent again, whole, with the fallback's model.
  const auto audio = wav(2.5);
  reply = http_request(gw.port(), "POST", "/v1/audio/transcriptions", form({{"model", "broken-ear"}}, audio),
                       form_headers(key));
  REQUIRE(reply.status == 200);
  CHECK(cost_header(reply) == Approx(3 * 0.0001).epsilon(1e-12));
  CHECK(mock.requests_for_model("whisper-1+status-503") == 2);
  const auto sent = str(mock.last()["body"]);
  CHECK(sent.find("name=\"model\"\r\n\r\nwhisper-1\r\n") != std::string::npos);
  CHECK(sent.find(audio) != std::string::npos);
  // Charged once each: the key's spend is the two answers'.
  CHECK(key_spend(gw, key, 0.0403) == Approx(0.04 + 0.0003).epsilon(1e-9));
  std::this_thread::sleep_for(1200ms);
  const auto logs =
      json(http_request(gw.port(), "GET", "/spend/logs?api_key=" + key, "", bearer(gw.master_key())).body);
  REQUIRE(logs.IsArray());
  REQUIRE(logs.Size() == 2);
  for (const auto& row : logs.GetArray()) {
    const auto model = str(row["model"]);
    CHECK((model == "dall-e-3" || model == "whisper-1"));  // the deployment that answered
  }
}

// --- Speech relayed as it arrives.

TEST_CASE("media: speech audio is relayed chunk by chunk, a client hanging up mid-stream is charged what it got",
          "[integration][media][hangup]") {
  MockUpstream mock;
  // The mock sends the audio in 6 chunks 150 ms apart (~750 ms in all).
  TestGateway gw(media_config(
      mock, deployment(mock, "slow-voice", "openai/tts-1+chunks-6+pace-150", "input_cost_per_character: 0.000015")));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  const std::string speech = R"({"model":"slow-voice","input":"hello there","voice":"alloy"})";

  SECTION("whole: the client gets every byte, charged per character") {
    const auto start = std::chrono::steady_clock::now();
    const auto reply = http_request(gw.port(), "POST", "/v1/audio/speech", speech, bearer(key));
    REQUIRE(reply.status == 200);
    CHECK(std::chrono::steady_clock::now() - start >= 600ms);
    CHECK(reply.header("content-type") == "audio/mpeg");
    CHECK(reply.body.size() == 4 + 64 + 16 * 11);  // the mock's audio for 11 characters
    CHECK(cost_header(reply) == Approx(11 * 0.000015).epsilon(1e-12));
    CHECK(key_spend(gw, key, 11 * 0.000015) == Approx(11 * 0.000015).epsilon(1e-12));
  }
  SECTION("relayed: the first chunk arrives long before the last is sent") {
    // Room for two calls ($0.000165 each): a reservation left behind by the hang-up, on top of
    // its charge, would leave room for none.
    const auto tight = issue_key(gw, R"({"max_budget":0.0004})");
    bool closed = false;
    const auto early = raw_exchange(gw.port(), raw_post("/v1/audio/speech", speech, bearer(tight)), 300ms, &closed);
    CHECK_FALSE(closed);
    CHECK(early.find("200") != std::string::npos);
    CHECK(early.find("ID3") != std::string::npos);            // audio bytes already relayed
    CHECK(early.find("\r\n0\r\n\r\n") == std::string::npos);  // but not the end of the stream
    // The hang-up cancels the upstream call and is charged once (the provider charges the input).
    std::int64_t aborts = 0;
    for (int i = 0; i < 100 && aborts < 1; ++i) {
      std::this_thread::sleep_for(20ms);
      aborts = mock.client_aborts();
    }
    CHECK(aborts == 1);
    CHECK(key_spend(gw, tight, 11 * 0.000015) == Approx(11 * 0.000015).epsilon(1e-12));
    const auto next = http_request(gw.port(), "POST", "/v1/audio/speech", speech, bearer(tight));
    CHECK(next.status == 200);
  }
}

// --- Images at the price of their size and quality.

TEST_CASE("media: dall-e images are reserved and charged at the price of their size and quality",
          "[integration][media][images]") {
  MockUpstream mock;
  // No model_info price: the built-in table. "flat-painter" sets one, which wins for any size.
  TestGateway gw(
      media_config(mock, deployment(mock, "table-painter", "openai/dall-e-3", "mode: image_generation") +
                             deployment(mock, "flat-painter", "openai/dall-e-3", "output_cost_per_image: 0.05")));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  auto reply =
      http_request(gw.port(), "POST", "/v1/images/generations",
                   R"({"model":"table-painter","prompt":"x","n":2,"size":"1792x1024","quality":"hd"})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(cost_header(reply) == Approx(0.24).epsilon(1e-12));  // 2 × $0.120, not 2 × $0.04
  CHECK(key_spend(gw, key, 0.24) == Approx(0.24).epsilon(1e-12));
  reply = http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":"table-painter","prompt":"x"})",
                       bearer(key));
  REQUIRE(reply.status == 200);
  // OpenAI's defaults: 1024x1024, and quality auto ("the best quality for the given model"): hd.
  CHECK(cost_header(reply) == Approx(0.08).epsilon(1e-12));
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"table-painter","prompt":"x","size":null,"quality":"auto"})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(cost_header(reply) == Approx(0.08).epsilon(1e-12));
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"table-painter","prompt":"x","quality":"standard"})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(cost_header(reply) == Approx(0.04).epsilon(1e-12));
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"flat-painter","prompt":"x","size":"1024x1792","quality":"hd"})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(cost_header(reply) == Approx(0.05).epsilon(1e-12));

  // The reservation is the request's true price: three wide hd images ($0.36) do not fit $0.30.
  const auto small = issue_key(gw, R"({"max_budget":0.30})");
  const auto before = mock.requests_for_model("dall-e-3");
  reply =
      http_request(gw.port(), "POST", "/v1/images/generations",
                   R"({"model":"table-painter","prompt":"x","n":3,"size":"1024x1792","quality":"hd"})", bearer(small));
  CHECK(reply.status == 429);
  CHECK(str(json(reply.body)["error"]["type"]) == "budget_exceeded");
  CHECK(mock.requests_for_model("dall-e-3") == before);

  // A size or quality dall-e-3 does not make is the client's 400, before any upstream call.
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"table-painter","prompt":"x","size":"512x512"})", bearer(key));
  CHECK(reply.status == 400);
  auto error = json(reply.body);
  CHECK(str(error["error"]["param"]) == "size");
  CHECK(str(error["error"]["type"]) == "invalid_request_error");
  CHECK_THAT(str(error["error"]["message"]), Catch::Contains("1792x1024"));
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"table-painter","prompt":"x","quality":"ultra"})", bearer(key));
  CHECK(reply.status == 400);
  CHECK(str(json(reply.body)["error"]["param"]) == "quality");
  reply = http_request(gw.port(), "POST", "/v1/images/generations",
                       R"({"model":"table-painter","prompt":"x","size":1024})", bearer(key));
  CHECK(reply.status == 400);
  CHECK(str(json(reply.body)["error"]["param"]) == "size");
  CHECK(mock.requests_for_model("dall-e-3") == before);
}

// --- A media call that gives up answers as a chat call does.

TEST_CASE("media: an upstream timeout is 504 and an upstream 404 is 404, as for chat",
          "[integration][media][timeouts]") {
  MockUpstream mock;
  TestGateway gw(media_config(
      mock, deployment(mock, "slow-painter", "openai/dall-e-3+timeout", "output_cost_per_image: 0.04") +
                deployment(mock, "lost-painter", "openai/dall-e-3+status-404", "output_cost_per_image: 0.04") +
                deployment(mock, "slow-chat", "openai/gpt-4o+timeout", "") +
                deployment(mock, "lost-chat", "openai/gpt-4o+status-404", "") +
                "router_settings:\n  num_retries: 0\n  timeout: 0.5\n  disable_cooldowns: true\n"));
  const auto key = issue_key(gw, R"({"max_budget":1})");
  const auto image = [&](const std::string& group) {
    return http_request(gw.port(), "POST", "/v1/images/generations", R"({"model":")" + group + R"(","prompt":"x"})",
                        bearer(key));
  };
  const auto chat = [&](const std::string& group) {
    return http_request(gw.port(), "POST", "/v1/chat/completions",
                        R"({"model":")" + group + R"(","messages":[{"role":"user","content":"hi"}]})", bearer(key));
  };
  struct Row {
    const char* media_group;
    const char* chat_group;
    int status;
    const char* type;
  };
  for (const auto& row : {Row{"slow-painter", "slow-chat", 504, "timeout_error"},
                          Row{"lost-painter", "lost-chat", 404, "not_found_error"}}) {
    INFO(row.media_group);
    const auto media_reply = image(row.media_group);
    const auto chat_reply = chat(row.chat_group);
    CHECK(chat_reply.status == row.status);
    CHECK(media_reply.status == row.status);
    CHECK(str(json(media_reply.body)["error"]["type"]) == row.type);
    CHECK(str(json(chat_reply.body)["error"]["type"]) == row.type);
    CHECK(media_reply.header("x-litellm-model-group") == row.media_group);
  }
  std::this_thread::sleep_for(1200ms);
  const auto info = json(http_request(gw.port(), "GET", "/key/info?key=" + key, "", bearer(gw.master_key())).body);
  CHECK(info["info"]["spend"].GetDouble() == 0);  // failures are never charged
}
