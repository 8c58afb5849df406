// Azure OpenAI end to end over loopback: the gateway calls azure/ deployments of tollgate-mock,
// which answers only Azure's routes with the expected `api-key` and an `api-version`
// (tools/mock/azure.h); and clients call the gateway in Azure's shape
// (/openai/deployments/{model}/…, as the openai package's AzureOpenAI does).
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const std::string kAzureKey = "azure-provider-key-" + std::to_string(::getpid()) + "-secret";
const std::string kWrongKey = "azure-wrong-key-" + std::to_string(::getpid()) + "-secret";
constexpr double kInput = 0.000001;
constexpr double kOutput = 0.000002;

// Groups `az` (deployment my-deploy), `az-embed` (text-embed), `az-wrong-key` (the key the
// mock does not accept), all priced, and `az-old` (another api-version).
std::string config_for(const MockUpstream& mock) {
  register_secret(kAzureKey);
  register_secret(kWrongKey);
  const std::string base = "api_base: \"http://127.0.0.1:" + std::to_string(mock.port()) + "\", ";
  const std::string price = "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n";
  return "model_list:\n"
         "  - model_name: az\n"
         "    litellm_params: {model: azure/my-deploy, " +
         base + "api_version: \"2024-10-21\", api_key: \"" + kAzureKey + "\"}\n" + price +
         "  - model_name: az-embed\n"
         "    litellm_params: {model: azure/text-embed, " +
         base + "api_version: \"2024-10-21\", api_key: \"" + kAzureKey + "\"}\n" +
         "    model_info: {mode: embedding, input_cost_per_token: 0.000001}\n"
         "  - model_name: az-wrong-key\n"
         "    litellm_params: {model: azure/my-deploy, " +
         base + "api_version: \"2024-10-21\", api_key: \"" + kWrongKey + "\"}\n" + price +
         "  - model_name: az-old\n"
         "    litellm_params: {model: azure/old-deploy, " +
         base + "api_version: \"2023-05-15\", api_key: \"" + kAzureKey + "\"}\n" + price +
         "router_settings: {num_retries: 0}\n";
}

std::string chat(const std::string& model, bool stream = false) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hello azure"}])" +
         (stream ? R"(,"stream":true,"stream_options":{"include_usage":true})" : "") + "}";
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : "<not a string>"; }

// An SSE event's payload: its line without "data: ".
std::string payload(const SseEvent& event) {
  return event.data.rfind("data: ", 0) == 0 ? event.data.substr(6) : event.data;
}

double cost_of(const rapidjson::Value& usage) {
  return static_cast<double>(usage["prompt_tokens"].GetInt64()) * kInput +
         static_cast<double>(usage["completion_tokens"].GetInt64()) * kOutput;
}

}  // namespace

TEST_CASE("azure/ chat reaches the deployment's URL with its api-version and api-key, and is charged",
          "[integration][azure]") {
  MockUpstream mock({"--azure-api-key", kAzureKey});
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw);

  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("az"), bearer(key));
  REQUIRE(reply.status == 200);
  const auto body = parse_json(reply.body);
  CHECK(str(body["object"]) == "chat.completion");
  CHECK_THAT(str(body["choices"][0]["message"]["content"]), Catch::Contains("tollgate-mock"));
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/openai/deployments/my-deploy/chat/completions?api-version=2024-10-21");
  CHECK(str(last["headers"]["api-key"]) == kAzureKey);
  CHECK_FALSE(last["headers"].HasMember("authorization"));  // neither the provider's key nor the client's
  CHECK_FALSE(mock.last_body().HasMember("model"));         // Azure takes the deployment from the URL
  CHECK(key_spend(gw, key) == Approx(cost_of(body["usage"])).epsilon(1e-9));

  SECTION("each deployment sends its own api-version") {
    REQUIRE(http_request(gw.port(), "POST", "/v1/chat/completions", chat("az-old"), bearer(key)).status == 200);
    CHECK(str(mock.last()["path"]) == "/openai/deployments/old-deploy/chat/completions?api-version=2023-05-15");
  }
}

TEST_CASE("azure/ chat streamed: content chunks, usage, [DONE], charged", "[integration][azure]") {
  MockUpstream mock({"--azure-api-key", kAzureKey});
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw);

  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/chat/completions", chat("az", true), bearer(key), &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 3);
  CHECK(payload(events.back()) == "[DONE]");
  std::string text;
  double cost = -1;
  for (const auto& event : events) {
    if (payload(event) == "[DONE]") continue;
    const auto chunk = parse_json(payload(event));
    REQUIRE(chunk.IsObject());
    CHECK(str(chunk["object"]) == "chat.completion.chunk");
    if (chunk.HasMember("usage") && chunk["usage"].IsObject()) cost = cost_of(chunk["usage"]);
    if (chunk["choices"].Size() > 0 && chunk["choices"][0]["delta"].HasMember("content")) {
      text += str(chunk["choices"][0]["delta"]["content"]);
    }
  }
  CHECK_THAT(text, Catch::Contains("tollgate-mock"));
  REQUIRE(cost > 0);
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/openai/deployments/my-deploy/chat/completions?api-version=2024-10-21");
  CHECK(str(last["headers"]["api-key"]) == kAzureKey);
  const auto sent = mock.last_body();
  CHECK(sent["stream"].GetBool());
  CHECK(sent["stream_options"]["include_usage"].GetBool());  // the gateway asks, 2024-10-21 knows it
  CHECK(key_spend(gw, key) == Approx(cost).epsilon(1e-9));
}

// Regression: the gateway asked every Azure chat stream for stream_options.include_usage, which
// api-versions before 2024-09-01 refuse with a 400, so no stream worked on them.
TEST_CASE("azure/ streams on an api-version without stream_options go without it and are still charged",
          "[integration][azure]") {
  MockUpstream mock({"--azure-api-key", kAzureKey});
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw);

  SECTION("chat") {
    int status = 0;
    const std::string body = R"({"model":"az-old","stream":true,"messages":[{"role":"user","content":"hello"}]})";
    const auto events = read_sse(gw.port(), "/v1/chat/completions", body, bearer(key), &status);
    REQUIRE(status == 200);
    REQUIRE_FALSE(events.empty());
    CHECK(payload(events.back()) == "[DONE]");
    std::string text;
    for (const auto& event : events) {
      if (payload(event) == "[DONE]") continue;
      const auto chunk = parse_json(payload(event));
      if (chunk["choices"].Size() > 0 && chunk["choices"][0]["delta"].HasMember("content")) {
        text += str(chunk["choices"][0]["delta"]["content"]);
      }
    }
    CHECK_THAT(text, Catch::Contains("tollgate-mock"));
  }
  SECTION("Anthropic messages translated to chat") {
    int status = 0;
    const std::string body =
        R"({"model":"az-old","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hello"}]})";
    const auto events = read_sse(gw.port(), "/v1/messages", body, {{"x-api-key", key}}, &status);
    REQUIRE(status == 200);
    REQUIRE_FALSE(events.empty());
    CHECK_THAT(payload(events.back()), Catch::Contains("message_stop"));
  }
  const auto sent = mock.last_body();
  CHECK(str(mock.last()["path"]) == "/openai/deployments/old-deploy/chat/completions?api-version=2023-05-15");
  CHECK(sent["stream"].GetBool());
  CHECK_FALSE(sent.HasMember("stream_options"));
  CHECK(key_spend(gw, key) > 0);  // from the gateway's own count
}

TEST_CASE("azure/ embeddings reach the deployment's /embeddings and are charged", "[integration][azure]") {
  MockUpstream mock({"--azure-api-key", kAzureKey});
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw);

  const auto reply =
      http_request(gw.port(), "POST", "/v1/embeddings", R"({"model":"az-embed","input":["one","two"]})", bearer(key));
  REQUIRE(reply.status == 200);
  const auto body = parse_json(reply.body);
  REQUIRE(body["data"].Size() == 2);
  CHECK(body["data"][0]["embedding"].Size() == 8);
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/openai/deployments/text-embed/embeddings?api-version=2024-10-21");
  CHECK(str(last["headers"]["api-key"]) == kAzureKey);
  const double cost = static_cast<double>(body["usage"]["prompt_tokens"].GetInt64()) * kInput;
  CHECK(key_spend(gw, key) == Approx(cost).epsilon(1e-9));
}

TEST_CASE("a key Azure refuses gives the client a 502 envelope that names neither key", "[integration][azure]") {
  MockUpstream mock({"--azure-api-key", kAzureKey});
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw);

  for (const bool stream : {false, true}) {
    CAPTURE(stream);
    const auto reply =
        http_request(gw.port(), "POST", "/v1/chat/completions", chat("az-wrong-key", stream), bearer(key));
    CHECK(reply.status == 502);
    const auto body = parse_json(reply.body);
    REQUIRE(body.IsObject());
    const auto& error = body["error"];
    CHECK_THAT(str(error["message"]), Catch::Contains("provider rejected the gateway's credentials") &&
                                          Catch::Contains("az-wrong-key") && Catch::Contains("HTTP 401"));
    CHECK(error.HasMember("type"));
    CHECK(error.HasMember("param"));
    CHECK(error.HasMember("code"));
    CHECK(reply.body.find(kWrongKey) == std::string::npos);
    CHECK(reply.body.find(kAzureKey) == std::string::npos);
    CHECK(str(mock.last()["headers"]["api-key"]) == kWrongKey);  // it was sent, and refused
  }
}

TEST_CASE("clients may call the gateway in Azure's shape: /openai/deployments/{model}/…", "[integration][azure]") {
  MockUpstream mock({"--azure-api-key", kAzureKey});
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw, R"({"models":["az","az-embed"]})");
  const HeaderList azure_auth = {{"api-key", key}};

  SECTION("chat, with the virtual key in api-key; the path's deployment wins over the body's model") {
    const auto reply = http_request(gw.port(), "POST", "/openai/deployments/az/chat/completions?api-version=2024-10-21",
                                    chat("az-embed"), azure_auth);
    REQUIRE(reply.status == 200);
    CHECK(reply.header("x-litellm-model-group") == "az");
    CHECK(str(parse_json(reply.body)["object"]) == "chat.completion");
    CHECK(str(mock.last()["path"]) == "/openai/deployments/my-deploy/chat/completions?api-version=2024-10-21");
    CHECK(str(mock.last()["headers"]["api-key"]) == kAzureKey);  // the gateway's, never the client's
    CHECK(key_spend(gw, key) > 0);
  }
  SECTION("streamed chat, with a bearer token and no model in the body") {
    int status = 0;
    const auto events =
        read_sse(gw.port(), "/openai/deployments/az/chat/completions?api-version=2024-10-21",
                 R"({"messages":[{"role":"user","content":"hi"}],"stream":true})", bearer(key), &status);
    REQUIRE(status == 200);
    REQUIRE_FALSE(events.empty());
    CHECK(payload(events.back()) == "[DONE]");
  }
  SECTION("embeddings") {
    const auto reply = http_request(gw.port(), "POST", "/openai/deployments/az-embed/embeddings?api-version=2024-10-21",
                                    R"({"input":"hello"})", azure_auth);
    REQUIRE(reply.status == 200);
    CHECK(parse_json(reply.body)["data"][0]["embedding"].Size() == 8);
    CHECK(str(mock.last()["path"]) == "/openai/deployments/text-embed/embeddings?api-version=2024-10-21");
  }
  SECTION("completions") {
    const auto reply = http_request(gw.port(), "POST", "/openai/deployments/az/completions?api-version=2024-10-21",
                                    R"({"prompt":"say hi"})", azure_auth);
    REQUIRE(reply.status == 200);
    CHECK(str(parse_json(reply.body)["object"]) == "text_completion");
    CHECK(str(mock.last()["path"]) == "/openai/deployments/my-deploy/completions?api-version=2024-10-21");
  }
  SECTION("the deployment is checked as the model: a model the key may not call is refused") {
    const auto reply =
        http_request(gw.port(), "POST", "/openai/deployments/az-old/chat/completions", chat("az"), azure_auth);
    CHECK(reply.status == 403);
    CHECK_THAT(reply.body, Catch::Contains("not allowed to use the model 'az-old'"));
    CHECK(mock.requests() == 0);
  }
  SECTION("an unknown deployment, a missing key, a malformed escape") {
    auto reply = http_request(gw.port(), "POST", "/openai/deployments/nope/chat/completions", chat("az"), azure_auth);
    CHECK(reply.status == 404);
    CHECK_THAT(reply.body, Catch::Contains("The model 'nope' does not exist"));
    reply = http_request(gw.port(), "POST", "/openai/deployments/az/chat/completions", chat("az"));
    CHECK(reply.status == 401);
    reply = http_request(gw.port(), "POST", "/openai/deployments/a%zz/chat/completions", chat("az"), azure_auth);
    CHECK(reply.status == 400);
    CHECK(str(parse_json(reply.body)["error"]["param"]) == "model");
    CHECK(mock.requests() == 0);
  }
}
