// Vertex AI through the gateway against tollgate-mock over loopback: the service account's
// JWT-bearer grant at the key's token_uri (the mock's token endpoint), the access token cached
// and sent as a bearer token, Gemini on publishers/google and Claude on publishers/anthropic
// (rawPredict / streamRawPredict, anthropic_version in the body), streams priced, and a token
// endpoint that fails turned into an upstream error that falls back — never quoting the key.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"
#include "tests/support/vertex_service_account.h"

using namespace tollgate::testing;

namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

struct VertexEntry {
  std::string group;
  std::string model;
  std::string credentials;  // a file path or the JSON itself
};

std::string vertex_config(const MockUpstream& mock, const std::vector<VertexEntry>& entries,
                          const std::string& extra = "") {
  std::string yaml = "model_list:\n";
  for (const auto& e : entries) {
    yaml += "  - model_name: " + e.group + "\n    litellm_params:\n      model: \"vertex_ai/" + e.model +
            "\"\n      api_base: http://127.0.0.1:" + std::to_string(mock.port()) +
            "\n      vertex_project: my-project\n      vertex_location: europe-west4\n      vertex_credentials: " +
            single_quoted(e.credentials) +
            "\n    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n";
  }
  return yaml + extra;
}

std::string chat(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hello vertex"}]})";
}

// Grants at /token (the usual token_uri of these tests).
std::int64_t token_grants(const MockUpstream& mock) {
  const auto stats = mock.stats();
  const auto& paths = stats["by_path"];
  return paths.HasMember("/token") ? paths["/token"].GetInt64() : 0;
}

}  // namespace

TEST_CASE("a Vertex AI Gemini deployment gets a bearer token from the key's token_uri, cached across requests",
          "[integration][vertex]") {
  MockUpstream mock;
  const auto key_file = write_key_file(service_account_json(token_uri(mock)));
  TestGateway gw(vertex_config(mock, {{"flash", "gemini-2.0-flash", key_file}}));
  for (int i = 0; i < 3; ++i) {
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("flash"), bearer(gw.master_key()));
    REQUIRE(reply.status == 200);
    const auto body = json(reply.body);
    CHECK(str(body["model"]) == "flash");
    CHECK_THAT(str(body["choices"][0]["message"]["content"]), Catch::Contains("tollgate-mock"));
    const auto prompt = body["usage"]["prompt_tokens"].GetInt64();
    const auto completion = body["usage"]["completion_tokens"].GetInt64();
    CHECK(std::stod(reply.header("x-litellm-response-cost")) ==
          Approx(prompt * 0.000001 + completion * 0.000002).epsilon(1e-9));
  }
  CHECK(token_grants(mock) == 1);  // one grant, kept for the next calls
  const auto last = mock.last();
  CHECK(str(last["path"]) ==
        "/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent");
  CHECK(str(last["headers"]["authorization"]) == "Bearer ya29.mock-1");
  CHECK_FALSE(last["headers"].HasMember("x-goog-api-key"));
  const auto sent = json(str(last["body"]));
  CHECK(str(sent["contents"][0]["parts"][0]["text"]) == "hello vertex");
}

TEST_CASE("requests arriving before the first token wait for one grant, then all go out with it",
          "[integration][vertex]") {
  MockUpstream mock;
  // The token endpoint answers slowly, so that every request arrives while the grant is pending.
  const auto key = service_account_json(token_uri(mock));
  TestGateway gw(vertex_config(mock, {{"flash", "gemini-2.0-flash", key}}));
  mock.configure(R"({"latency_ms":300})");
  std::vector<std::thread> threads;
  std::vector<int> statuses(6, 0);
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      statuses[i] =
          http_request(gw.port(), "POST", "/v1/chat/completions", chat("flash"), bearer(gw.master_key())).status;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto status : statuses) CHECK(status == 200);
  CHECK(token_grants(mock) == 1);
}

TEST_CASE("Anthropic on Vertex: rawPredict without model, with anthropic_version, for both client APIs",
          "[integration][vertex]") {
  MockUpstream mock;
  const auto key = service_account_json(token_uri(mock));
  TestGateway gw(vertex_config(mock, {{"claude", "claude-3-5-sonnet-v2@20241022", key}}));

  const auto messages =
      http_request(gw.port(), "POST", "/v1/messages",
                   R"({"model":"claude","max_tokens":50,"messages":[{"role":"user","content":"hello claude"}]})",
                   {{"x-api-key", gw.master_key()}});
  REQUIRE(messages.status == 200);
  const auto answer = json(messages.body);
  CHECK(str(answer["type"]) == "message");
  CHECK_THAT(str(answer["content"][0]["text"]), Catch::Contains("tollgate-mock"));
  auto last = mock.last();
  CHECK(str(last["path"]) ==
        "/v1/projects/my-project/locations/europe-west4/publishers/anthropic/models/"
        "claude-3-5-sonnet-v2@20241022:rawPredict");
  CHECK_THAT(str(last["headers"]["authorization"]), Catch::StartsWith("Bearer ya29.mock-"));
  auto sent = json(str(last["body"]));
  CHECK_FALSE(sent.HasMember("model"));
  CHECK(str(sent["anthropic_version"]) == "vertex-2023-10-16");
  CHECK(sent["max_tokens"].GetInt() == 50);

  const auto openai = http_request(gw.port(), "POST", "/v1/chat/completions", chat("claude"), bearer(gw.master_key()));
  REQUIRE(openai.status == 200);
  CHECK(str(json(openai.body)["object"]) == "chat.completion");
  sent = json(str(mock.last()["body"]));
  CHECK_FALSE(sent.HasMember("model"));
  CHECK(str(sent["anthropic_version"]) == "vertex-2023-10-16");
  CHECK(str(sent["messages"][0]["content"][0]["text"]) == "hello vertex");
}

TEST_CASE("a streamed Vertex Anthropic call is relayed and charged", "[integration][vertex][streaming]") {
  MockUpstream mock;
  const auto key = service_account_json(token_uri(mock));
  TestGateway gw(vertex_config(mock, {{"claude", "claude-3-5-sonnet-v2@20241022+chunks-4", key}}));
  const auto api_key = issue_key(gw, R"({"max_budget":10})");
  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/messages",
               R"({"model":"claude","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
               {{"x-api-key", api_key}}, &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 6);
  CHECK_THAT(events.front().data, Catch::StartsWith("event: message_start"));
  CHECK_THAT(events.back().data, Catch::StartsWith("event: message_stop"));
  std::int64_t input = 0;
  std::int64_t output = 0;
  for (const auto& e : events) {
    const auto event = sse_data_json(e);
    if (!event.IsObject()) continue;
    if (event.HasMember("message") && event["message"].HasMember("usage"))
      input = event["message"]["usage"]["input_tokens"].GetInt64();
    if (str(event["type"]) == "message_delta") output = event["usage"]["output_tokens"].GetInt64();
  }
  REQUIRE(input > 0);
  REQUIRE(output > 0);
  CHECK(str(mock.last()["path"]) ==
        "/v1/projects/my-project/locations/europe-west4/publishers/anthropic/models/"
        "claude-3-5-sonnet-v2@20241022+chunks-4:streamRawPredict");
  const double expected = input * 0.000001 + output * 0.000002;
  double spend = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (spend == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto info =
        json(http_request(gw.port(), "GET", "/key/info?key=" + api_key, "", bearer(gw.master_key())).body);
    spend = info["info"]["spend"].GetDouble();
  }
  CHECK(spend == Approx(expected).epsilon(1e-9));  // LiteLLM logged these at 0
}

TEST_CASE("a token endpoint that fails makes the attempt an upstream error: it falls back, and the key stays secret",
          "[integration][vertex]") {
  MockUpstream mock;
  const auto good = service_account_json(token_uri(mock));
  const auto refused = service_account_json(token_uri(mock, "/no-such-token-endpoint"));  // 404
  const std::string fallbacks = "router_settings:\n  fallbacks: [{\"broken\": [\"flash\"]}]\n";
  TestGateway gw(vertex_config(mock,
                               {{"broken", "gemini-2.0-flash", refused},
                                {"alone", "gemini-2.0-flash", refused},
                                {"flash", "gemini-2.0-flash", good}},
                               fallbacks));

  const auto fell_back =
      http_request(gw.port(), "POST", "/v1/chat/completions", chat("broken"), bearer(gw.master_key()));
  CHECK(fell_back.status == 200);
  CHECK(fell_back.header("x-litellm-attempted-fallbacks") == "1");

  const auto failed = http_request(gw.port(), "POST", "/v1/chat/completions", chat("alone"), bearer(gw.master_key()));
  CHECK(failed.status == 502);
  const auto error = json(failed.body);
  REQUIRE(error.HasMember("error"));
  CHECK_THAT(str(error["error"]["message"]), Catch::Contains("token endpoint answered 404"));
  CHECK(failed.body.find("PRIVATE KEY") == std::string::npos);
  CHECK(failed.body.find("ya29.") == std::string::npos);
}

TEST_CASE("vertex_ai/ settings: GOOGLE_APPLICATION_CREDENTIALS, the key's project, the global location",
          "[integration][vertex]") {
  MockUpstream mock;
  const auto key_file = write_key_file(service_account_json(token_uri(mock)));
  // No vertex_* keys: LiteLLM's environment variables and the key's project_id.
  TestGateway gw(
      "model_list:\n  - model_name: flash\n    litellm_params:\n      model: vertex_ai/gemini-2.0-flash\n"
      "      api_base: http://127.0.0.1:" +
          std::to_string(mock.port()) + "/prefix\n",
      {{"GOOGLE_APPLICATION_CREDENTIALS", key_file}, {"VERTEXAI_LOCATION", "global"}});
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("flash"), bearer(gw.master_key()));
  CHECK(reply.status == 404);  // the mock has no /prefix routes: the path says what was sent
  CHECK(str(mock.last()["path"]) ==
        "/prefix/v1/projects/key-project/locations/global/publishers/google/models/gemini-2.0-flash:generateContent");
}

TEST_CASE("a config reload that keeps a Vertex key keeps its token, a new key gets its own grant",
          "[integration][vertex]") {
  MockUpstream mock;
  const auto key = service_account_json(token_uri(mock));
  TestGateway gw(vertex_config(mock, {{"flash", "gemini-2.0-flash", key}}));
  const auto call = [&](const std::string& group) {
    return http_request(gw.port(), "POST", "/v1/chat/completions", chat(group), bearer(gw.master_key())).status;
  };
  REQUIRE(call("flash") == 200);
  std::ofstream(gw.config_path()) << vertex_config(
      mock, {{"flash", "gemini-2.0-flash", key}, {"renamed", "gemini-2.0-flash", key}});
  REQUIRE(http_request(gw.port(), "POST", "/config/reload", "", bearer(gw.master_key())).status == 200);
  CHECK(call("flash") == 200);
  CHECK(call("renamed") == 200);
  CHECK(token_grants(mock) == 1);

  // The same account behind another token_uri is another key: its own token.
  const auto other = service_account_json(token_uri(mock, "/oauth2/v4/token"));
  std::ofstream(gw.config_path()) << vertex_config(mock, {{"flash", "gemini-2.0-flash", other}});
  REQUIRE(http_request(gw.port(), "POST", "/config/reload", "", bearer(gw.master_key())).status == 200);
  CHECK(call("flash") == 200);
  CHECK(token_grants(mock) == 1);
  const auto stats = mock.stats();
  CHECK(stats["by_path"]["/oauth2/v4/token"].GetInt64() == 1);
}

TEST_CASE("a token within 6 minutes of expiry is refreshed in the background, one within 5 is not used",
          "[integration][vertex]") {
  MockUpstream mock;
  const auto eager = service_account_json(token_uri(mock, "/token?expires_in=330"));            // due, still usable
  const auto stale = service_account_json(token_uri(mock, "/oauth2/v4/token?expires_in=200"));  // never usable
  TestGateway gw(vertex_config(mock, {{"eager", "gemini-2.0-flash", eager}, {"stale", "gemini-2.0-flash", stale}}));
  const auto call = [&](const std::string& group) {
    REQUIRE(http_request(gw.port(), "POST", "/v1/chat/completions", chat(group), bearer(gw.master_key())).status ==
            200);
    return str(mock.last()["headers"]["authorization"]);
  };
  const auto first = call("eager");  // waits for the first grant
  CHECK(call("eager") == first);     // goes out with it while a refresh starts behind it
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (token_grants(mock) < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(token_grants(mock) == 2);

  for (int i = 0; i < 3; ++i) call("stale");  // each waits for a fresh grant
  CHECK(mock.stats()["by_path"]["/oauth2/v4/token"].GetInt64() == 3);
}

TEST_CASE("Vertex AI embeddings: /v1/embeddings goes to :predict with the token, priced from token_count, budgeted",
          "[integration][vertex][embeddings]") {
  MockUpstream mock;
  TestGateway gw(vertex_config(mock, {{"embed", "text-embedding-004", service_account_json(token_uri(mock))}}));
  const auto reply = http_request(
      gw.port(), "POST", "/v1/embeddings",
      R"({"model":"embed","input":["sixteen bytes...","thirty-two bytes of text here..."],"dimensions":4})",
      bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(str(body["object"]) == "list");
  CHECK(str(body["model"]) == "embed");
  REQUIRE(body["data"].Size() == 2);
  CHECK(body["data"][1]["embedding"].Size() == 4);            // dimensions → parameters.outputDimensionality
  CHECK(body["usage"]["prompt_tokens"].GetInt64() == 4 + 8);  // the mock's token_count: bytes / 4
  CHECK(std::stod(reply.header("x-litellm-response-cost")) == Approx(12 * 0.000001).epsilon(1e-9));
  const auto last = mock.last();
  CHECK(str(last["path"]) ==
        "/v1/projects/my-project/locations/europe-west4/publishers/google/models/text-embedding-004:predict");
  CHECK(str(last["headers"]["authorization"]).rfind("Bearer ya29.mock-", 0) == 0);
  CHECK(str(last["body"]) ==
        R"({"instances":[{"content":"sixteen bytes..."},{"content":"thirty-two bytes of text here..."}],)"
        R"("parameters":{"outputDimensionality":4}})");

  // The worst case (the input's bytes as tokens) is reserved from the key's budget.
  const auto poor = issue_key(gw, R"({"max_budget":0.000001})");
  const auto refused = http_request(gw.port(), "POST", "/v1/embeddings",
                                    R"({"model":"embed","input":")" + std::string(400, 'a') + R"("})", bearer(poor));
  CHECK(refused.status == 429);
  // What Vertex cannot take is a 400 before any upstream call.
  const auto requests = mock.stats()["requests"].GetInt64();
  const auto unknown_format =
      http_request(gw.port(), "POST", "/v1/embeddings", R"({"model":"embed","input":"x","encoding_format":"int8"})",
                   bearer(gw.master_key()));
  CHECK(unknown_format.status == 400);
  CHECK(str(json(unknown_format.body)["error"]["param"]) == "encoding_format");
  CHECK(
      http_request(gw.port(), "POST", "/v1/embeddings", R"({"model":"embed","input":[1,2,3]})", bearer(gw.master_key()))
          .status == 400);
  CHECK(mock.stats()["requests"].GetInt64() == requests);

  // base64 (the openai SDKs' default): float32s, 4 bytes per dimension.
  const auto base64 = http_request(gw.port(), "POST", "/v1/embeddings",
                                   R"({"model":"embed","input":"x","dimensions":3,"encoding_format":"base64"})",
                                   bearer(gw.master_key()));
  REQUIRE(base64.status == 200);
  CHECK(str(json(base64.body)["data"][0]["embedding"]).size() == 16);  // 12 bytes in base64
}
