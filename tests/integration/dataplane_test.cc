// The data plane against a real fake upstream (tollgate-mock) over loopback: passthrough,
// streaming as it arrives, retries, fallbacks, cooldowns, timeouts, resets, malformed bodies,
// client disconnects, TLS, and Anthropic/Azure request shapes.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kProviderKey = "sk-provider-secret-" + std::to_string(::getpid()) + "-xyz";

// model_list entries all pointing at one mock; `entries` holds "group: upstream-model" pairs.
std::string config_for(const MockUpstream& mock, const std::vector<std::pair<std::string, std::string>>& entries,
                       const std::string& extra = "", const std::string& provider = "openai") {
  register_secret(kProviderKey);
  std::string yaml = "model_list:\n";
  for (const auto& [group, model] : entries) {
    yaml += "  - model_name: " + group + "\n    litellm_params:\n      model: " + provider + "/" + model +
            "\n      api_base: " +
            (provider == "anthropic" ? "http://127.0.0.1:" + std::to_string(mock.port()) : mock.base_url()) +
            "\n      api_key: " + kProviderKey + "\n";
  }
  return yaml + extra;
}

std::string chat(const std::string& model, bool stream = false) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hello upstream"}])" +
         (stream ? R"(,"stream":true)" : "") + "}";
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

}  // namespace

TEST_CASE("chat completion passes through to an OpenAI-compatible upstream", "[integration][dataplane]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"gpt", "mock-upstream-model"}}));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("gpt"), bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(std::string(body["object"].GetString()) == "chat.completion");
  CHECK(body["usage"]["total_tokens"].GetInt() > 0);
  CHECK(reply.header("x-litellm-model-group") == "gpt");
  CHECK(reply.header("x-litellm-attempted-retries") == "0");
  CHECK_FALSE(reply.header("x-litellm-overhead-duration-ms").empty());
  const auto last = mock.last();
  CHECK(std::string(last["path"].GetString()) == "/v1/chat/completions");
  CHECK(std::string(last["headers"]["authorization"].GetString()) == "Bearer " + kProviderKey);
  const auto sent = json(last["body"].GetString());
  CHECK(std::string(sent["model"].GetString()) == "mock-upstream-model");  // group name replaced
  CHECK(reply.body.find(kProviderKey) == std::string::npos);
}

TEST_CASE("a paced stream is relayed chunk by chunk as it arrives", "[integration][dataplane][streaming]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"paced", "mock+chunks-10+pace-100"}}));
  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/chat/completions", chat("paced", true), bearer(gw.master_key()), &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 12);
  CHECK(events.back().data == "data: [DONE]");
  // Ten content events 100 ms apart: if they were buffered they would arrive in one burst.
  const auto span = events[10].arrived - events[1].arrived;
  CHECK(span >= 600ms);
  int distinct_arrivals = 0;
  for (std::size_t i = 1; i < events.size(); ++i) {
    if (events[i].arrived - events[i - 1].arrived > 40ms) ++distinct_arrivals;
  }
  CHECK(distinct_arrivals >= 7);
  // We asked the upstream for usage on the client's behalf; the client did not ask, so no
  // usage-only chunk reaches it.
  for (const auto& e : events) CHECK(e.data.find(R"("choices":[])") == std::string::npos);
  const auto sent = json(mock.last()["body"].GetString());
  CHECK(sent["stream_options"]["include_usage"].GetBool());
}

TEST_CASE("server errors are retried up to num_retries", "[integration][dataplane][retries]") {
  MockUpstream mock;
  TestGateway gw(
      config_for(mock, {{"broken", "status-500"}}, "router_settings: {num_retries: 2, allowed_fails: 100}\n"));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("broken"), bearer(gw.master_key()));
  CHECK(reply.status == 500);
  CHECK(reply.header("x-litellm-attempted-retries") == "2");
  CHECK(mock.requests_for_model("status-500") == 3);
  CHECK_THAT(reply.body, Catch::Contains("server_error"));
}

TEST_CASE("a 429 is retried after retry-after and a healthy deployment takes over",
          "[integration][dataplane][retries]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"g", "status-429"}, {"g", "healthy"}},
                            "router_settings: {num_retries: 2, cooldown_time: 30}\n"));
  for (int i = 0; i < 5; ++i) {
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("g"), bearer(gw.master_key()));
    CHECK(reply.status == 200);
  }
  // The 429 deployment is cooled down after its first 429, so it is hit at most once.
  CHECK(mock.requests_for_model("status-429") <= 1);
  CHECK(mock.requests_for_model("healthy") == 5);
}

TEST_CASE("a failing group falls back to another group", "[integration][dataplane][fallbacks]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"primary", "status-503"}, {"backup", "backup-model"}},
                            "router_settings:\n  num_retries: 0\n  fallbacks: [{\"primary\": [\"backup\"]}]\n"));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("primary"), bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  CHECK(reply.header("x-litellm-attempted-fallbacks") == "1");
  CHECK(reply.header("x-litellm-model-group") == "backup");
  CHECK(mock.requests_for_model("backup-model") == 1);
}

TEST_CASE("context-window errors use context_window_fallbacks, plain 400s fall back nowhere",
          "[integration][dataplane][fallbacks]") {
  MockUpstream mock;
  TestGateway gw(config_for(
      mock, {{"small", "context-exceeded"}, {"bad", "status-400"}, {"big", "big-model"}, {"other", "other-model"}},
      "router_settings:\n  fallbacks: [{\"small\": [\"other\"]}, {\"bad\": [\"other\"]}]\n"
      "  context_window_fallbacks: [{\"small\": [\"big\"]}]\n"));
  const auto moved = http_request(gw.port(), "POST", "/v1/chat/completions", chat("small"), bearer(gw.master_key()));
  CHECK(moved.status == 200);
  CHECK(moved.header("x-litellm-model-group") == "big");
  CHECK(mock.requests_for_model("big-model") == 1);
  CHECK(mock.requests_for_model("other-model") == 0);
  const auto bad = http_request(gw.port(), "POST", "/v1/chat/completions", chat("bad"), bearer(gw.master_key()));
  CHECK(bad.status == 400);  // the request itself is wrong: no retry, no fallback
  CHECK(mock.requests_for_model("status-400") == 1);
  CHECK(mock.requests_for_model("other-model") == 0);
}

TEST_CASE("a failing deployment cools down, then recovers", "[integration][dataplane][cooldown]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"solo", "solo-model"}},
                            "router_settings: {num_retries: 0, allowed_fails: 0, cooldown_time: 1}\n"));
  mock.configure(R"({"fail_rate":1.0,"fail_status":500})");
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("solo"), bearer(gw.master_key())).status == 500);
  const auto cooling = http_request(gw.port(), "POST", "/v1/chat/completions", chat("solo"), bearer(gw.master_key()));
  CHECK(cooling.status == 429);
  CHECK_THAT(cooling.body, Catch::Contains("No deployments available"));
  CHECK_FALSE(cooling.header("retry-after").empty());
  CHECK(mock.requests_for_model("solo-model") == 1);  // the cooled-down deployment was not called
  mock.configure(R"({"fail_rate":0})");
  std::this_thread::sleep_for(1200ms);
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("solo"), bearer(gw.master_key())).status == 200);
}

TEST_CASE("an upstream that never answers times out with 504", "[integration][dataplane][timeouts]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"slow", "timeout"}}, "router_settings: {num_retries: 0, timeout: 0.5}\n"));
  const auto start = std::chrono::steady_clock::now();
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("slow"), bearer(gw.master_key()));
  CHECK(reply.status == 504);
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  std::this_thread::sleep_for(200ms);
  CHECK(mock.client_aborts() == 1);  // the gateway closed the upstream connection
}

TEST_CASE("a connection reset mid-stream ends the client's stream with an error event",
          "[integration][dataplane][streaming]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"r", "reset-mid-stream"}}));
  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/chat/completions", chat("r", true), bearer(gw.master_key()), &status);
  CHECK(status == 200);
  REQUIRE(events.size() >= 3);
  CHECK(events.back().data == "data: [DONE]");
  CHECK_THAT(events[events.size() - 2].data, Catch::Contains("\"error\""));
  CHECK_THAT(events[0].data, Catch::Contains("chat.completion.chunk"));
}

TEST_CASE("a reset before any response is retried then reported as 502", "[integration][dataplane][retries]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"r", "reset"}}, "router_settings: {num_retries: 1, allowed_fails: 100}\n"));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("r"), bearer(gw.master_key()));
  CHECK(reply.status == 502);
  CHECK(mock.requests_for_model("reset") == 2);
}

TEST_CASE("malformed upstream JSON becomes a 502", "[integration][dataplane]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"m", "malformed"}}));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("m"), bearer(gw.master_key()));
  CHECK(reply.status == 502);
  CHECK_THAT(reply.body, Catch::Contains("not a JSON object"));
}

TEST_CASE("a client that disconnects aborts the upstream call", "[integration][dataplane]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"slow", "latency-5000"}}));
  const std::string body = chat("slow");
  const std::string request =
      "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer " + gw.master_key() +
      "\r\ncontent-type: application/json\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  raw_exchange(gw.port(), request, 300ms);  // closes its socket after 300 ms without an answer
  std::int64_t aborts = 0;
  for (int i = 0; i < 100 && aborts == 0; ++i) {
    std::this_thread::sleep_for(20ms);
    aborts = mock.client_aborts();
  }
  CHECK(aborts == 1);
}

TEST_CASE("provider errors keep their status and never show the provider key", "[integration][dataplane]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"bad", "status-400"}, {"auth", "status-401"}, {"missing", "status-404"}},
                            "router_settings: {num_retries: 0}\n"));
  const auto bad = http_request(gw.port(), "POST", "/v1/chat/completions", chat("bad"), bearer(gw.master_key()));
  CHECK(bad.status == 400);
  const auto auth = http_request(gw.port(), "POST", "/v1/chat/completions", chat("auth"), bearer(gw.master_key()));
  CHECK(auth.status == 502);
  CHECK_THAT(auth.body, Catch::Contains("rejected the gateway's credentials"));
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("missing"), bearer(gw.master_key())).status ==
        404);
  for (const auto* r : {&bad, &auth}) {
    CHECK(r->body.find(kProviderKey) == std::string::npos);
    CHECK_THAT(r->body, Catch::StartsWith(R"({"error":{"message":)"));
  }
}

TEST_CASE("embeddings and completions pass through", "[integration][dataplane]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"e", "embed-model"}, {"c", "completion-model"}}));
  const auto e =
      http_request(gw.port(), "POST", "/v1/embeddings", R"({"model":"e","input":["a","b"]})", bearer(gw.master_key()));
  REQUIRE(e.status == 200);
  CHECK(json(e.body)["data"].Size() == 2);
  CHECK(std::string(mock.last()["path"].GetString()) == "/v1/embeddings");
  const auto c =
      http_request(gw.port(), "POST", "/v1/completions", R"({"model":"c","prompt":"hi"})", bearer(gw.master_key()));
  REQUIRE(c.status == 200);
  CHECK(std::string(mock.last()["path"].GetString()) == "/v1/completions");
}

TEST_CASE("upstream connections are kept alive and reused", "[integration][dataplane]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"g", "m"}}, "general_settings: {io_threads: 1}\n"));
  HttpConnection client(gw.port());
  for (int i = 0; i < 20; ++i) {
    REQUIRE(client.request("POST", "/v1/chat/completions", chat("g"), bearer(gw.master_key())).status == 200);
  }
  CHECK(mock.stats()["open_connections"].GetInt() <= 2);  // ours (one, reused) + the stats call
}

TEST_CASE("Anthropic deployments get the Messages API shape", "[integration][dataplane][anthropic]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"claude", "claude-3-5-sonnet"}}, "", "anthropic"));
  const auto reply = http_request(
      gw.port(), "POST", "/v1/chat/completions",
      R"({"model":"claude","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}]})",
      bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(std::string(body["object"].GetString()) == "chat.completion");
  CHECK(body["choices"][0]["message"]["content"].IsString());
  CHECK(body["usage"]["prompt_tokens"].GetInt() > 0);
  const auto last = mock.last();
  CHECK(std::string(last["path"].GetString()) == "/v1/messages");
  CHECK(std::string(last["headers"]["x-api-key"].GetString()) == kProviderKey);
  CHECK(std::string(last["headers"]["anthropic-version"].GetString()) == "2023-06-01");
  const auto sent = json(last["body"].GetString());
  CHECK(std::string(sent["system"].GetString()) == "be brief");
  CHECK(sent["max_tokens"].GetInt() > 0);

  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/chat/completions", chat("claude", true), bearer(gw.master_key()), &status);
  CHECK(status == 200);
  REQUIRE(events.size() >= 3);
  CHECK(events.back().data == "data: [DONE]");
  CHECK_THAT(events.front().data, Catch::Contains("chat.completion.chunk"));
}

TEST_CASE("/v1/messages reaches an OpenAI deployment translated both ways", "[integration][dataplane][anthropic]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, {{"gpt", "gpt-up"}}));
  const auto reply =
      http_request(gw.port(), "POST", "/v1/messages",
                   R"({"model":"gpt","max_tokens":50,"system":"sys","messages":[{"role":"user","content":"hello"}]})",
                   {{"x-api-key", gw.master_key()}});
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(std::string(body["type"].GetString()) == "message");
  CHECK(std::string(body["content"][0]["type"].GetString()) == "text");
  CHECK(body["usage"]["input_tokens"].GetInt() > 0);
  const auto last = mock.last();
  CHECK(std::string(last["path"].GetString()) == "/v1/chat/completions");
  const auto sent = json(last["body"].GetString());
  CHECK(std::string(sent["messages"][0]["role"].GetString()) == "system");
}

TEST_CASE("Azure deployments use the deployment URL, api-version and api-key", "[integration][dataplane]") {
  MockUpstream mock;
  TestGateway gw(
      "model_list:\n  - model_name: az\n    litellm_params:\n      model: azure/my-deploy\n"
      "      api_base: http://127.0.0.1:" +
      std::to_string(mock.port()) + "\n      api_version: 2024-02-01\n      api_key: " + kProviderKey +
      "\nrouter_settings: {num_retries: 0}\n");
  http_request(gw.port(), "POST", "/v1/chat/completions", chat("az"), bearer(gw.master_key()));
  const auto last = mock.last();
  CHECK(std::string(last["path"].GetString()) ==
        "/openai/deployments/my-deploy/chat/completions?api-version=2024-02-01");
  CHECK(std::string(last["headers"]["api-key"].GetString()) == kProviderKey);
  CHECK_FALSE(last["headers"].HasMember("authorization"));
}

TEST_CASE("TLS upstream verified with a CA added by config, a wrong host name is rejected",
          "[integration][dataplane][tls]") {
  const auto cert = make_localhost_certificate();
  MockUpstream mock({"--tls-cert", cert.cert_path, "--tls-key", cert.key_path});
  const std::string tail =
      "general_settings: {upstream_ca_file: " + cert.cert_path + "}\nrouter_settings: {num_retries: 0}\n";
  SECTION("the certificate's name matches") {
    TestGateway gw("model_list:\n  - model_name: t\n    litellm_params:\n      model: openai/m\n      api_base: " +
                   mock.base_url("https", "localhost") + "\n" + tail);
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("t"), bearer(gw.master_key()));
    CHECK(reply.status == 200);
  }
  SECTION("the certificate is for another name") {
    TestGateway gw("model_list:\n  - model_name: t\n    litellm_params:\n      model: openai/m\n      api_base: " +
                   mock.base_url("https", "127.0.0.1") + "\n" + tail);
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("t"), bearer(gw.master_key()));
    CHECK(reply.status == 502);
    CHECK_THAT(reply.body, Catch::Contains("TLS"));
  }
  SECTION("without the CA the certificate is not trusted") {
    TestGateway gw("model_list:\n  - model_name: t\n    litellm_params:\n      model: openai/m\n      api_base: " +
                   mock.base_url("https", "localhost") + "\nrouter_settings: {num_retries: 0}\n");
    CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("t"), bearer(gw.master_key())).status == 502);
  }
}
