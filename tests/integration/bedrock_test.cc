// AWS Bedrock (Converse / ConverseStream) through the gateway against tollgate-mock's Bedrock
// emulation over loopback: SigV4-signed requests, translated answers, the binary event
// stream relayed as SSE, usage priced, AWS errors retried, corrupt frames refused.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const std::string kSecretKey = "bedrock-secret-" + std::to_string(::getpid()) + "-wJalrXUtnFEMI";
const std::string kSessionToken = "bedrock-session-" + std::to_string(::getpid()) + "-IQoJb3JpZ2lu";

// One bedrock/ deployment per "group: model id" pair, priced at $1 and $2 per million tokens.
std::string bedrock_config(const MockUpstream& mock, const std::vector<std::pair<std::string, std::string>>& entries,
                           const std::string& extra = "") {
  register_secret(kSecretKey);
  register_secret(kSessionToken);
  std::string yaml = "model_list:\n";
  for (const auto& [group, model] : entries) {
    yaml += "  - model_name: " + group + "\n    litellm_params:\n      model: \"bedrock/" + model +
            "\"\n      api_base: http://127.0.0.1:" + std::to_string(mock.port()) +
            "\n      aws_access_key_id: AKIDTOLLGATETEST\n      aws_secret_access_key: " + kSecretKey +
            "\n      aws_session_token: " + kSessionToken +
            "\n      aws_region_name: eu-central-1\n    model_info: {input_cost_per_token: 0.000001, "
            "output_cost_per_token: 0.000002}\n";
  }
  return yaml + extra;
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

TEST_CASE("an OpenAI chat request reaches Bedrock Converse signed, and its answer comes back priced",
          "[integration][bedrock]") {
  MockUpstream mock;
  TestGateway gw(bedrock_config(mock, {{"claude", "converse/anthropic.claude-3-haiku-20240307-v1:0"}}));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("claude"), bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(str(body["object"]) == "chat.completion");
  CHECK_THAT(str(body["choices"][0]["message"]["content"]), Catch::Contains("tollgate-mock"));
  CHECK(str(body["choices"][0]["finish_reason"]) == "stop");
  const auto prompt = body["usage"]["prompt_tokens"].GetInt64();
  const auto completion = body["usage"]["completion_tokens"].GetInt64();
  CHECK(prompt > 0);
  CHECK(completion > 0);
  CHECK(std::stod(reply.header("x-litellm-response-cost")) ==
        Approx(prompt * 0.000001 + completion * 0.000002).epsilon(1e-9));

  const auto last = mock.last();
  CHECK(str(last["path"]) == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  const auto authorization = str(last["headers"]["authorization"]);
  CHECK(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDTOLLGATETEST/", 0) == 0);
  CHECK_THAT(authorization, Catch::Contains("/eu-central-1/bedrock/aws4_request"));
  CHECK_THAT(authorization, Catch::Contains("x-amz-security-token"));
  CHECK(str(last["headers"]["x-amz-security-token"]) == kSessionToken);
  CHECK(last["headers"].HasMember("x-amz-date"));
  const auto sent = json(str(last["body"]));
  CHECK(str(sent["system"][0]["text"]) == "be brief");
  CHECK(str(sent["messages"][0]["content"][0]["text"]) == "hello bedrock");
  CHECK(reply.body.find(kSecretKey) == std::string::npos);
}

TEST_CASE("a ConverseStream event stream is relayed as OpenAI chunks with Bedrock's usage",
          "[integration][bedrock][streaming]") {
  MockUpstream mock;
  TestGateway gw(bedrock_config(mock, {{"claude", "anthropic.claude-v2+chunks-6"}}));
  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/chat/completions", chat("claude", true), bearer(gw.master_key()), &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 9);
  CHECK(events.back().data == "data: [DONE]");
  std::string text;
  bool usage = false;
  for (const auto& e : events) {
    if (e.data == "data: [DONE]") continue;
    const auto chunk = json(e.data.substr(6));
    REQUIRE(chunk.IsObject());
    if (chunk.HasMember("usage") && chunk["usage"].IsObject()) usage = chunk["usage"]["completion_tokens"].GetInt() > 0;
    if (chunk["choices"].Empty()) continue;
    const auto& delta = chunk["choices"][0]["delta"];
    if (delta.HasMember("content") && delta["content"].IsString()) text += str(delta["content"]);
  }
  CHECK(text == "Hello from tollgate-mock! This is a canned reply from the fake upstream.");
  CHECK(usage);
  CHECK(str(mock.last()["path"]) == "/model/anthropic.claude-v2%2Bchunks-6/converse-stream");
}

TEST_CASE("an Anthropic Messages client streams from Bedrock", "[integration][bedrock][streaming]") {
  MockUpstream mock;
  TestGateway gw(bedrock_config(mock, {{"claude", "anthropic.claude-v2"}}));
  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/messages",
               R"({"model":"claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
               {{"x-api-key", gw.master_key()}}, &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 5);
  CHECK_THAT(events.front().data, Catch::StartsWith("event: message_start"));
  CHECK_THAT(events[events.size() - 2].data, Catch::Contains("\"output_tokens\":"));
  CHECK_THAT(events.back().data, Catch::StartsWith("event: message_stop"));
  const auto sent = json(str(mock.last()["body"]));
  CHECK(sent["inferenceConfig"]["maxTokens"].GetInt() == 100);
}

TEST_CASE("Bedrock throttling is retried, then reported as 429", "[integration][bedrock][retries]") {
  MockUpstream mock;
  TestGateway gw(bedrock_config(mock, {{"busy", "status-429"}, {"denied", "status-403"}},
                                "router_settings: {num_retries: 1, allowed_fails: 100}\n"));
  const auto busy = http_request(gw.port(), "POST", "/v1/chat/completions", chat("busy"), bearer(gw.master_key()));
  CHECK(busy.status == 429);
  CHECK_THAT(busy.body, Catch::Contains("simulated rate limit"));
  CHECK(mock.requests_for_model("status-429") == 2);
  const auto denied = http_request(gw.port(), "POST", "/v1/chat/completions", chat("denied"), bearer(gw.master_key()));
  CHECK(denied.status == 502);  // the gateway's AWS credentials were refused: not the client's fault
  CHECK(denied.body.find(kSecretKey) == std::string::npos);
}

TEST_CASE("a corrupt event stream frame ends the client's stream with an error, malformed JSON is a 502",
          "[integration][bedrock][streaming]") {
  MockUpstream mock;
  TestGateway gw(bedrock_config(mock, {{"bad", "malformed"}}));
  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/chat/completions", chat("bad", true), bearer(gw.master_key()), &status);
  CHECK(status == 200);
  REQUIRE(events.size() >= 2);
  CHECK(events.back().data == "data: [DONE]");
  CHECK_THAT(events[events.size() - 2].data, Catch::Contains("CRC"));

  const auto whole = http_request(gw.port(), "POST", "/v1/chat/completions", chat("bad"), bearer(gw.master_key()));
  CHECK(whole.status == 502);
}

TEST_CASE("bedrock/ deployments need AWS credentials and a region", "[integration][bedrock]") {
  MockUpstream mock;
  const std::string yaml = "model_list:\n  - model_name: c\n    litellm_params: {model: bedrock/anthropic.claude-v2}\n";
  CHECK_THROWS_WITH(TestGateway(yaml, {{"AWS_REGION", "us-east-1"}}), Catch::Contains("aws_access_key_id"));
  CHECK_THROWS_WITH(TestGateway(yaml, {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}}),
                    Catch::Contains("region"));
}
