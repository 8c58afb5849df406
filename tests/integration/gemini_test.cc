// The Gemini API (generateContent / streamGenerateContent) through the gateway against
// tollgate-mock's Gemini emulation over loopback: the key sent as x-goog-api-key, requests
// and answers translated both ways, the SSE stream relayed, usage priced, Google errors retried.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const std::string kGeminiKey = "gemini-key-" + std::to_string(::getpid()) + "-AIzaSyTollgate";

// One gemini/ deployment per "group: model" pair, priced at $1 and $2 per million tokens.
std::string gemini_config(const MockUpstream& mock, const std::vector<std::pair<std::string, std::string>>& entries,
                          const std::string& extra = "") {
  register_secret(kGeminiKey);
  std::string yaml = "model_list:\n";
  for (const auto& [group, model] : entries) {
    yaml += "  - model_name: " + group + "\n    litellm_params:\n      model: \"gemini/" + model +
            "\"\n      api_base: http://127.0.0.1:" + std::to_string(mock.port()) + "\n      api_key: " + kGeminiKey +
            "\n    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n";
  }
  return yaml + extra;
}

std::string chat(const std::string& model, bool stream = false) {
  return R"({"model":")" + model + R"(","messages":[{"role":"system","content":"be brief"},)" +
         R"({"role":"user","content":"hello gemini"}])" +
         (stream ? R"(,"stream":true,"stream_options":{"include_usage":true})" : "") + "}";
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

}  // namespace

TEST_CASE("an OpenAI chat request reaches Gemini generateContent with its key, and comes back priced",
          "[integration][gemini]") {
  MockUpstream mock;
  TestGateway gw(gemini_config(mock, {{"flash", "gemini-2.0-flash"}}));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("flash"), bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(str(body["object"]) == "chat.completion");
  CHECK(str(body["model"]) == "flash");
  CHECK_THAT(str(body["choices"][0]["message"]["content"]), Catch::Contains("tollgate-mock"));
  CHECK(str(body["choices"][0]["finish_reason"]) == "stop");
  const auto prompt = body["usage"]["prompt_tokens"].GetInt64();
  const auto completion = body["usage"]["completion_tokens"].GetInt64();
  CHECK(prompt > 0);
  CHECK(completion > 0);
  CHECK(std::stod(reply.header("x-litellm-response-cost")) ==
        Approx(prompt * 0.000001 + completion * 0.000002).epsilon(1e-9));

  const auto last = mock.last();
  CHECK(str(last["path"]) == "/v1beta/models/gemini-2.0-flash:generateContent");
  CHECK(str(last["headers"]["x-goog-api-key"]) == kGeminiKey);
  const auto sent = json(str(last["body"]));
  CHECK(str(sent["systemInstruction"]["parts"][0]["text"]) == "be brief");
  CHECK(str(sent["contents"][0]["role"]) == "user");
  CHECK(str(sent["contents"][0]["parts"][0]["text"]) == "hello gemini");
  CHECK(sent["generationConfig"]["maxOutputTokens"].GetInt() == 8192);
  CHECK(reply.body.find(kGeminiKey) == std::string::npos);
}

TEST_CASE("a Gemini stream is relayed as OpenAI chunks with Gemini's usage", "[integration][gemini][streaming]") {
  MockUpstream mock;
  TestGateway gw(gemini_config(mock, {{"flash", "gemini-2.0-flash+chunks-6"}}));
  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/chat/completions", chat("flash", true), bearer(gw.master_key()), &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 8);
  CHECK(events.back().data == "data: [DONE]");
  std::string text;
  std::int64_t completion_tokens = 0;
  std::string finish;
  for (const auto& e : events) {
    if (e.data == "data: [DONE]") continue;
    const auto chunk = json(e.data.substr(6));
    REQUIRE(chunk.IsObject());
    if (chunk.HasMember("usage") && chunk["usage"].IsObject())
      completion_tokens = chunk["usage"]["completion_tokens"].GetInt64();
    if (chunk["choices"].Empty()) continue;
    const auto& choice = chunk["choices"][0];
    if (choice["delta"].HasMember("content") && choice["delta"]["content"].IsString())
      text += str(choice["delta"]["content"]);
    if (choice["finish_reason"].IsString()) finish = str(choice["finish_reason"]);
  }
  CHECK(text == "Hello from tollgate-mock! This is a canned reply from the fake upstream.");
  CHECK(finish == "stop");
  CHECK(completion_tokens > 0);
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/v1beta/models/gemini-2.0-flash+chunks-6:streamGenerateContent?alt=sse");
}

TEST_CASE("an Anthropic Messages client streams from Gemini", "[integration][gemini][streaming]") {
  MockUpstream mock;
  TestGateway gw(gemini_config(mock, {{"flash", "gemini-2.0-flash+chunks-3"}}));
  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/messages",
               R"({"model":"flash","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
               {{"x-api-key", gw.master_key()}}, &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 6);
  CHECK_THAT(events.front().data, Catch::StartsWith("event: message_start"));
  CHECK_THAT(events[events.size() - 2].data, Catch::Contains("\"stop_reason\":\"end_turn\""));
  CHECK_THAT(events.back().data, Catch::StartsWith("event: message_stop"));
  const auto sent = json(str(mock.last()["body"]));
  CHECK(sent["generationConfig"]["maxOutputTokens"].GetInt() == 100);
}

TEST_CASE("a Gemini answer cut at max tokens finishes with length", "[integration][gemini]") {
  MockUpstream mock;
  TestGateway gw(gemini_config(mock, {{"flash", "gemini-2.0-flash+tokenizer"}}));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions",
                                  R"({"model":"flash","max_tokens":3,"messages":[{"role":"user","content":"hello"}]})",
                                  bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(str(body["choices"][0]["finish_reason"]) == "length");
  CHECK(body["usage"]["completion_tokens"].GetInt() == 3);
}

TEST_CASE("Gemini rate limits are retried, then reported as 429, a refused key is the gateway's 502",
          "[integration][gemini][retries]") {
  MockUpstream mock;
  TestGateway gw(gemini_config(mock, {{"busy", "status-429"}, {"denied", "status-403"}},
                               "router_settings: {num_retries: 1, allowed_fails: 100}\n"));
  const auto busy = http_request(gw.port(), "POST", "/v1/chat/completions", chat("busy"), bearer(gw.master_key()));
  CHECK(busy.status == 429);
  CHECK_THAT(busy.body, Catch::Contains("simulated rate limit"));
  CHECK(mock.requests_for_model("status-429") == 2);
  const auto denied = http_request(gw.port(), "POST", "/v1/chat/completions", chat("denied"), bearer(gw.master_key()));
  CHECK(denied.status == 502);
  CHECK(denied.body.find(kGeminiKey) == std::string::npos);
}

TEST_CASE("gemini/ deployments need a key, from litellm_params or GEMINI_API_KEY", "[integration][gemini]") {
  MockUpstream mock;
  const std::string yaml =
      "model_list:\n  - model_name: g\n    litellm_params: {model: gemini/gemini-2.0-flash, "
      "api_base: \"http://127.0.0.1:" +
      std::to_string(mock.port()) + "\"}\n";
  CHECK_THROWS_WITH(TestGateway(yaml), Catch::Contains("GEMINI_API_KEY"));
  register_secret(kGeminiKey);
  TestGateway gw(yaml, {{"GEMINI_API_KEY", kGeminiKey}});
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("g"), bearer(gw.master_key()));
  CHECK(reply.status == 200);
  CHECK(str(mock.last()["headers"]["x-goog-api-key"]) == kGeminiKey);
}
