// Bedrock InvokeModel through the gateway against tollgate-mock's emulation over loopback:
// Anthropic models (chat and /v1/messages, whole and streamed as base64 chunks in the binary
// event stream), spend charged exactly from the usage (cache reads and writes included),
// interrupted streams and exception messages charged, AWS errors, and the embedding models.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <thread>

#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const std::string kSecretKey = "invoke-secret-" + std::to_string(::getpid()) + "-wJalrXUtnFEMI";

// Prices per token: input, output, cache read, cache write.
constexpr double kInput = 0.000001, kOutput = 0.000002, kCacheRead = 0.0000001, kCacheWrite = 0.00000125;

std::string invoke_config(const MockUpstream& mock, const std::vector<std::pair<std::string, std::string>>& entries) {
  register_secret(kSecretKey);
  std::string yaml = "model_list:\n";
  for (const auto& [group, model] : entries) {
    yaml += "  - model_name: " + group + "\n    litellm_params:\n      model: \"bedrock/" + model +
            "\"\n      api_base: http://127.0.0.1:" + std::to_string(mock.port()) +
            "\n      aws_access_key_id: AKIDTOLLGATETEST\n      aws_secret_access_key: " + kSecretKey +
            "\n      aws_region_name: us-west-2\n";
    if (model.find("embed") == std::string::npos) {
      yaml +=
          "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, "
          "cache_read_input_token_cost: 0.0000001, cache_creation_input_token_cost: 0.00000125}\n";
    }
  }
  return yaml;
}

std::string chat(const std::string& model, bool stream = false) {
  return R"({"model":")" + model + R"(","messages":[{"role":"system","content":"be brief"},)" +
         R"({"role":"user","content":"hello bedrock"}])" +
         (stream ? R"(,"stream":true,"stream_options":{"include_usage":true})" : "") + "}";
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

}  // namespace

TEST_CASE(
    "an OpenAI chat request reaches Bedrock InvokeModel signed, and is charged exactly from its usage, "
    "cache reads and writes included",
    "[integration][bedrock][invoke]") {
  MockUpstream mock;
  TestGateway gw(invoke_config(
      mock, {{"claude", "invoke/anthropic.claude-3-5-sonnet-20240620-v1:0+cache-read-3000+cache-write-1500"}}));
  const auto key = issue_key(gw, R"({"max_budget":10})");
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("claude"), bearer(key));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(str(body["object"]) == "chat.completion");
  CHECK_THAT(str(body["choices"][0]["message"]["content"]), Catch::Contains("tollgate-mock"));
  const auto prompt = body["usage"]["prompt_tokens"].GetInt64();
  const auto completion = body["usage"]["completion_tokens"].GetInt64();
  CHECK(body["usage"]["prompt_tokens_details"]["cached_tokens"].GetInt64() == 3000);
  const auto plain = prompt - 3000 - 1500;
  REQUIRE(plain > 0);
  REQUIRE(completion > 0);
  const double expected = plain * kInput + 3000 * kCacheRead + 1500 * kCacheWrite + completion * kOutput;
  CHECK(std::stod(reply.header("x-litellm-response-cost")) == Approx(expected).epsilon(1e-9));
  CHECK(key_spend(gw, key) == Approx(expected).epsilon(1e-9));

  const auto last = mock.last();
  CHECK(str(last["path"]) ==
        "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0%2Bcache-read-3000%2Bcache-write-1500/invoke");
  CHECK(str(last["headers"]["authorization"]).rfind("AWS4-HMAC-SHA256 Credential=AKIDTOLLGATETEST/", 0) == 0);
  const auto sent = json(str(last["body"]));
  CHECK(str(sent["anthropic_version"]) == "bedrock-2023-05-31");
  CHECK_FALSE(sent.HasMember("model"));
  CHECK_FALSE(sent.HasMember("stream"));
  CHECK(str(sent["system"]) == "be brief");
  CHECK(sent["max_tokens"].GetInt() == 4096);
  CHECK(reply.body.find(kSecretKey) == std::string::npos);

  // The Responses API reaches it through chat, as on every chat-only provider.
  const auto responses = http_request(gw.port(), "POST", "/v1/responses", R"({"model":"claude","input":"hello"})",
                                      bearer(gw.master_key()));
  REQUIRE(responses.status == 200);
  CHECK_THAT(responses.body, Catch::Contains("tollgate-mock"));
  CHECK(str(json(str(mock.last()["body"]))["anthropic_version"]) == "bedrock-2023-05-31");
}

TEST_CASE(
    "InvokeModelWithResponseStream is relayed as OpenAI chunks and as Anthropic's own events, each charged "
    "from its usage",
    "[integration][bedrock][invoke][streaming]") {
  MockUpstream mock;
  TestGateway gw(
      invoke_config(mock, {{"claude", "invoke/us.anthropic.claude-3-5-sonnet-20241022-v2:0+chunks-5+cache-read-200"}}));
  const auto key = issue_key(gw, R"({"max_budget":10})");
  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/chat/completions", chat("claude", true), bearer(key), &status);
  REQUIRE(status == 200);
  CHECK(events.back().data == "data: [DONE]");
  std::string text;
  std::int64_t prompt = 0, completion = 0;
  for (const auto& e : events) {
    if (e.data == "data: [DONE]") continue;
    const auto chunk = json(e.data.substr(6));
    REQUIRE(chunk.IsObject());
    if (chunk.HasMember("usage") && chunk["usage"].IsObject()) {
      prompt = chunk["usage"]["prompt_tokens"].GetInt64();
      completion = chunk["usage"]["completion_tokens"].GetInt64();
    }
    if (chunk["choices"].Empty()) continue;
    const auto& delta = chunk["choices"][0]["delta"];
    if (delta.HasMember("content") && delta["content"].IsString()) text += str(delta["content"]);
  }
  CHECK(text == "Hello from tollgate-mock! This is a canned reply from the fake upstream.");
  REQUIRE(prompt > 200);
  REQUIRE(completion > 0);
  CHECK(
      str(mock.last()["path"]) ==
      "/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0%2Bchunks-5%2Bcache-read-200/invoke-with-response-stream");
  const double streamed = (prompt - 200) * kInput + 200 * kCacheRead + completion * kOutput;
  CHECK(key_spend(gw, key) == Approx(streamed).epsilon(1e-9));

  // An Anthropic client: the events pass through as Anthropic sent them.
  const auto native = issue_key(gw, R"({"max_budget":10})");
  const auto messages =
      read_sse(gw.port(), "/v1/messages",
               R"({"model":"claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
               {{"x-api-key", native}}, &status);
  REQUIRE(status == 200);
  CHECK_THAT(messages.front().data, Catch::StartsWith("event: message_start"));
  CHECK_THAT(messages.front().data, Catch::Contains("\"id\":\"msg_bdrk_mock_"));  // the upstream's own id
  CHECK_THAT(messages.front().data, Catch::Contains("\"cache_read_input_tokens\":200"));
  CHECK_THAT(messages.back().data, Catch::StartsWith("event: message_stop"));
  const auto sent = json(str(mock.last()["body"]));
  CHECK(sent["max_tokens"].GetInt() == 100);
  CHECK(str(sent["anthropic_version"]) == "bedrock-2023-05-31");
  CHECK(key_spend(gw, native) > 0);
}

TEST_CASE("an InvokeModel stream cut mid-way, or ended by an exception message, is charged",
          "[integration][bedrock][invoke][streaming]") {
  MockUpstream mock;
  TestGateway gw(
      invoke_config(mock, {{"cut", "invoke/anthropic.claude-3-haiku-20240307-v1:0+chunks-6+reset-mid-stream"},
                           {"exception",
                            "invoke/anthropic.claude-3-haiku-20240307-v1:0+chunks-6+"
                            "exception-mid-stream"}}));
  const auto cut_key = issue_key(gw, R"({"max_budget":10})");
  int status = 0;
  const auto cut = read_sse(gw.port(), "/v1/chat/completions", chat("cut", true), bearer(cut_key), &status);
  CHECK(status == 200);
  REQUIRE_FALSE(cut.empty());
  CHECK_THAT(cut[cut.size() - 2].data, Catch::Contains("mid-stream"));
  CHECK(key_spend(gw, cut_key) > 0);  // the prompt the upstream read

  const auto exception_key = issue_key(gw, R"({"max_budget":10})");
  const auto failed =
      read_sse(gw.port(), "/v1/chat/completions", chat("exception", true), bearer(exception_key), &status);
  CHECK(status == 200);
  std::string text;
  std::int64_t errors = 0;
  for (const auto& e : failed) {
    if (e.data == "data: [DONE]") continue;
    const auto chunk = json(e.data.substr(6));
    if (chunk.HasMember("error")) {
      ++errors;
      CHECK_THAT(str(chunk["error"]["message"]), Catch::Contains("simulated model stream error"));
      continue;
    }
    if (!chunk.HasMember("choices") || chunk["choices"].Empty()) continue;
    const auto& delta = chunk["choices"][0]["delta"];
    if (delta.HasMember("content") && delta["content"].IsString()) text += str(delta["content"]);
  }
  CHECK(errors == 1);
  REQUIRE_FALSE(text.empty());
  // The prompt as Bedrock counted it (message_start) plus the text streamed before the exception.
  const auto spend = key_spend(gw, exception_key);
  CHECK(spend > 0);
  const auto input_only =
      json(http_request(gw.port(), "POST", "/v1/chat/completions", chat("exception"), bearer(gw.master_key()))
               .body)["usage"]["prompt_tokens"]
          .GetInt64() *
      kInput;
  CHECK(spend > input_only);
}

TEST_CASE("InvokeModel errors: the key's model access (403), AWS's access denied, throttling, corrupt frames",
          "[integration][bedrock][invoke]") {
  MockUpstream mock;
  TestGateway gw(invoke_config(mock, {{"claude", "invoke/anthropic.claude-3-haiku-20240307-v1:0"},
                                      {"denied", "invoke/anthropic.claude-3-haiku-20240307-v1:0+status-403"},
                                      {"bad", "invoke/anthropic.claude-3-haiku-20240307-v1:0+malformed"}}));
  const auto limited = issue_key(gw, R"({"models":["denied"]})");
  const auto refused = http_request(gw.port(), "POST", "/v1/chat/completions", chat("claude"), bearer(limited));
  CHECK(refused.status == 403);
  CHECK(mock.requests_for_model("anthropic.claude-3-haiku-20240307-v1:0") == 0);

  const auto denied = http_request(gw.port(), "POST", "/v1/chat/completions", chat("denied"), bearer(limited));
  CHECK(denied.status == 502);  // the gateway's AWS credentials lack model access: not the client's fault
  CHECK_THAT(denied.body, Catch::Contains("credentials"));
  CHECK(denied.body.find(kSecretKey) == std::string::npos);

  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/chat/completions", chat("bad", true), bearer(gw.master_key()), &status);
  CHECK(status == 200);
  REQUIRE(events.size() >= 2);
  CHECK_THAT(events[events.size() - 2].data, Catch::Contains("CRC"));
}

TEST_CASE("bedrock/invoke/ of a model that is not Anthropic's stops start-up naming the key",
          "[integration][bedrock][invoke]") {
  MockUpstream mock;
  CHECK_THROWS_WITH(
      TestGateway(invoke_config(mock, {{"llama", "invoke/meta.llama3-70b-instruct-v1:0"}})),
      Catch::Contains("model_list[0].litellm_params.model") && Catch::Contains("supported for Anthropic models"));
}

TEST_CASE("Bedrock embeddings: Titan (one input) and Cohere, OpenAI-shaped with usage, priced from the cost map",
          "[integration][bedrock][embeddings]") {
  MockUpstream mock;
  TestGateway gw(
      invoke_config(mock, {{"titan", "amazon.titan-embed-text-v2:0"}, {"cohere", "cohere.embed-english-v3"}}));
  const auto key = issue_key(gw, R"({"max_budget":10})");
  const auto titan = http_request(gw.port(), "POST", "/v1/embeddings",
                                  R"({"model":"titan","input":"the quick brown fox jumps"})", bearer(key));
  REQUIRE(titan.status == 200);
  const auto body = json(titan.body);
  CHECK(str(body["object"]) == "list");
  CHECK(body["data"].Size() == 1);
  CHECK(body["data"][0]["embedding"].Size() == 8);
  const auto tokens = body["usage"]["prompt_tokens"].GetInt64();
  CHECK(tokens == 6);  // tollgate-mock's inputTextTokenCount: 25 bytes / 4
  CHECK(std::stod(titan.header("x-litellm-response-cost")) == Approx(tokens * 0.02e-6).epsilon(1e-9));
  CHECK(key_spend(gw, key) == Approx(tokens * 0.02e-6).epsilon(1e-9));
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/model/amazon.titan-embed-text-v2%3A0/invoke");
  CHECK(str(json(str(last["body"]))["inputText"]) == "the quick brown fox jumps");

  const auto two =
      http_request(gw.port(), "POST", "/v1/embeddings", R"({"model":"titan","input":["a","b"]})", bearer(key));
  CHECK(two.status == 400);
  CHECK_THAT(two.body, Catch::Contains("one input per request"));

  const auto cohere = http_request(
      gw.port(), "POST", "/v1/embeddings",
      R"({"model":"cohere","input":["hello world!","bonjour"],"encoding_format":"base64"})", bearer(gw.master_key()));
  REQUIRE(cohere.status == 200);
  const auto c = json(cohere.body);
  CHECK(c["data"].Size() == 2);
  CHECK(c["data"][1]["embedding"].IsString());  // base64 float32s, as the openai SDKs ask
  CHECK(c["usage"]["prompt_tokens"].GetInt64() == 5);
  CHECK(std::stod(cohere.header("x-litellm-response-cost")) == Approx(5 * 0.10e-6).epsilon(1e-9));
  CHECK(str(json(str(mock.last()["body"]))["input_type"]) == "search_document");
}
