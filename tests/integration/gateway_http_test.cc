// The gateway over real loopback HTTP: health, metrics, auth, errors, mock inference.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <regex>

#include "tests/support/http_client.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const char* kConfig = R"(
model_list:
  - model_name: gpt-4o-mini
    litellm_params: {model: mock/gpt-4o-mini}
  - model_name: embed
    litellm_params: {model: mock/embed}
    model_info: {mode: embedding}
)";

const std::string kChat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello gateway"}]})";

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  return d;
}

void require_error_envelope(const HttpReply& reply, int status) {
  INFO(reply.body);
  CHECK(reply.status == status);
  CHECK(reply.header("content-type") == "application/json");
  const auto d = parse(reply.body);
  REQUIRE(d.IsObject());
  REQUIRE(d.HasMember("error"));
  const auto& e = d["error"];
  CHECK(e["message"].IsString());
  CHECK(e["type"].IsString());
  CHECK(e.HasMember("param"));
  CHECK(e["code"].IsString());
  CHECK(d.MemberCount() == 1);
}

}  // namespace

TEST_CASE("liveness endpoints answer publicly", "[integration][health]") {
  TestGateway gw(kConfig);
  for (const char* path : {"/health/liveliness", "/health/liveness", "/_health/live"}) {
    const auto reply = http_request(gw.port(), "GET", path);
    CHECK(reply.status == 200);
    CHECK(reply.body == "\"I'm alive!\"");
    CHECK_FALSE(reply.header("x-request-id").empty());
  }
}

TEST_CASE("readiness reports the embedded store", "[integration][health]") {
  TestGateway gw(kConfig);
  for (const char* path : {"/health/readiness", "/_health/ready"}) {
    const auto reply = http_request(gw.port(), "GET", path);
    REQUIRE(reply.status == 200);
    const auto d = parse(reply.body);
    CHECK(std::string(d["status"].GetString()) == "healthy");
    CHECK(std::string(d["checks"]["database"]["backend"].GetString()) == "sqlite");
    CHECK(std::string(d["checks"]["database"]["status"].GetString()) == "ok");
    CHECK(d["checks"]["database"]["latency_ms"].IsNumber());
  }
}

TEST_CASE("metrics scrape is valid Prometheus text with HTTP series", "[integration][metrics]") {
  TestGateway gw(kConfig);
  http_request(gw.port(), "GET", "/health/liveliness");
  http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(gw.master_key()));
  const auto reply = http_request(gw.port(), "GET", "/metrics");
  REQUIRE(reply.status == 200);
  CHECK_THAT(reply.header("content-type"), Catch::StartsWith("text/plain; version=0.0.4"));

  const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.eE+-]+|[+-]Inf|NaN$)");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::istringstream lines(reply.body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    INFO(line);
    if (line[0] == '#') {
      CHECK(std::regex_match(line, comment));
    } else {
      CHECK(std::regex_match(line, sample));
      ++samples;
    }
  }
  CHECK(samples > 10);
  CHECK_THAT(
      reply.body,
      Catch::Contains(R"(tollgate_http_requests_total{method="GET",route="/health/liveliness",status="200"} 1)"));
  CHECK_THAT(
      reply.body,
      Catch::Contains(R"(tollgate_http_requests_total{method="POST",route="/v1/chat/completions",status="200"} 1)"));
  CHECK_THAT(reply.body, Catch::Contains("tollgate_http_request_duration_seconds_bucket{"));
  CHECK_THAT(reply.body, Catch::Contains("tollgate_http_in_flight_requests"));
  CHECK_THAT(reply.body, Catch::Contains("tollgate_build_info{"));
  CHECK(reply.body.find(gw.master_key()) == std::string::npos);
}

TEST_CASE("metrics can require a key", "[integration][metrics]") {
  TestGateway gw(std::string(kConfig) + "general_settings: {require_auth_for_metrics_endpoint: true}\n");
  require_error_envelope(http_request(gw.port(), "GET", "/metrics"), 401);
  CHECK(http_request(gw.port(), "GET", "/metrics", "", bearer(gw.master_key())).status == 200);
}

TEST_CASE("every authentication failure gets the same 401", "[integration][auth]") {
  TestGateway gw(kConfig);
  const HeaderList cases[] = {
      {},
      {{"Authorization", "Bearer sk-wrong-key-0000"}},
      {{"Authorization", "Basic " + gw.master_key()}},
      {{"Authorization", "Bearer " + gw.master_key() + "x"}},
      {{"x-api-key", "sk-nope-nope-nope"}},
      {{"Authorization", "Bearer"}},
  };
  std::string first_body;
  for (const auto& headers : cases) {
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, headers);
    require_error_envelope(reply, 401);
    if (first_body.empty()) first_body = reply.body;
    CHECK(reply.body == first_body);
    CHECK(reply.body.find("sk-") == std::string::npos);
  }
}

TEST_CASE("the master key works in every accepted header", "[integration][auth]") {
  TestGateway gw(kConfig);
  const HeaderList cases[] = {
      {{"Authorization", "Bearer " + gw.master_key()}},
      {{"Authorization", "bearer " + gw.master_key()}},
      {{"x-api-key", gw.master_key()}},
      {{"x-litellm-api-key", gw.master_key()}},
      {{"x-litellm-api-key", "Bearer " + gw.master_key()}},
  };
  for (const auto& headers : cases) {
    CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, headers).status == 200);
  }
}

TEST_CASE("bad request bodies get 400 envelopes naming the problem", "[integration][errors]") {
  TestGateway gw(kConfig);
  const auto auth = bearer(gw.master_key());
  struct Row {
    std::string body;
    const char* needle;
    const char* param;
  };
  const Row rows[] = {
      {"{not json", "Invalid JSON", nullptr},
      {"", "empty", nullptr},
      {"[1,2]", "JSON object", nullptr},
      {R"({"messages":[{"role":"user","content":"x"}]})", "'model'", "model"},
      {R"({"model":5,"messages":[]})", "'model'", "model"},
      {R"({"model":"gpt-4o-mini"})", "'messages'", "messages"},
      {R"({"model":"gpt-4o-mini","messages":[]})", "'messages'", "messages"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", row.body, auth);
    require_error_envelope(reply, 400);
    CHECK_THAT(reply.body, Catch::Contains(row.needle));
    if (row.param) {
      CHECK(std::string(parse(reply.body)["error"]["param"].GetString()) == row.param);
    }
  }
}

TEST_CASE("unknown model, route and method", "[integration][errors]") {
  TestGateway gw(kConfig);
  const auto auth = bearer(gw.master_key());
  require_error_envelope(http_request(gw.port(), "POST", "/v1/chat/completions",
                                      R"({"model":"nope","messages":[{"role":"user","content":"x"}]})", auth),
                         404);
  require_error_envelope(http_request(gw.port(), "GET", "/no/such/route", "", auth), 404);
  require_error_envelope(http_request(gw.port(), "GET", "/v1/chat/completions", "", auth), 405);
}

TEST_CASE("chat completion on a mock model over one keep-alive connection", "[integration][inference]") {
  TestGateway gw(kConfig);
  HttpConnection connection(gw.port());
  for (int i = 0; i < 3; ++i) {
    const auto reply = connection.request("POST", "/v1/chat/completions", kChat, bearer(gw.master_key()));
    REQUIRE(reply.status == 200);
    const auto d = parse(reply.body);
    CHECK(std::string(d["object"].GetString()) == "chat.completion");
    CHECK(std::string(d["model"].GetString()) == "gpt-4o-mini");
    CHECK_THAT(std::string(d["choices"][0]["message"]["content"].GetString()), Catch::EndsWith("hello gateway"));
    CHECK(d["usage"]["total_tokens"].GetInt() ==
          d["usage"]["prompt_tokens"].GetInt() + d["usage"]["completion_tokens"].GetInt());
    CHECK(reply.header("x-litellm-model-group") == "gpt-4o-mini");
    CHECK_FALSE(reply.header("x-litellm-model-id").empty());
  }
  CHECK_FALSE(connection.closed_by_peer());
}

TEST_CASE("streamed chat completion ends with usage and [DONE]", "[integration][inference]") {
  TestGateway gw(kConfig);
  int status = 0;
  const auto events = read_sse(
      gw.port(), "/v1/chat/completions",
      R"({"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"a b c"}]})",
      bearer(gw.master_key()), &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 4);
  CHECK(events.back().data == "data: [DONE]");
  std::string text;
  bool saw_usage = false;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    REQUIRE_THAT(events[i].data, Catch::StartsWith("data: "));
    const auto d = parse(events[i].data.substr(6));
    REQUIRE(d.IsObject());
    CHECK(std::string(d["object"].GetString()) == "chat.completion.chunk");
    if (d.HasMember("usage")) {
      saw_usage = true;
      CHECK(d["choices"].Empty());
    } else if (d["choices"][0]["delta"].HasMember("content")) {
      text += d["choices"][0]["delta"]["content"].GetString();
    }
  }
  CHECK(saw_usage);
  CHECK_THAT(text, Catch::EndsWith("a b c"));
}

TEST_CASE("x-request-id is echoed when well formed and replaced otherwise", "[integration][request_id]") {
  TestGateway gw(kConfig);
  const auto kept = http_request(gw.port(), "GET", "/health/liveliness", "", {{"x-request-id", "trace-42"}});
  CHECK(kept.header("x-request-id") == "trace-42");
  const auto replaced =
      http_request(gw.port(), "GET", "/health/liveliness", "", {{"x-request-id", "bad id with spaces"}});
  CHECK(replaced.header("x-request-id") != "bad id with spaces");
  CHECK(replaced.header("x-request-id").size() == 36);
  const auto fresh = http_request(gw.port(), "GET", "/health/liveliness");
  CHECK(fresh.header("x-request-id").size() == 36);
}

TEST_CASE("models list and lookup", "[integration][models]") {
  TestGateway gw(kConfig);
  const auto auth = bearer(gw.master_key());
  const auto list = http_request(gw.port(), "GET", "/v1/models", "", auth);
  REQUIRE(list.status == 200);
  const auto d = parse(list.body);
  REQUIRE(d["data"].Size() == 2);
  CHECK(std::string(d["data"][0]["id"].GetString()) == "gpt-4o-mini");
  CHECK(http_request(gw.port(), "GET", "/v1/models/embed", "", auth).status == 200);
  require_error_envelope(http_request(gw.port(), "GET", "/v1/models/other", "", auth), 404);
  require_error_envelope(http_request(gw.port(), "GET", "/v1/models"), 401);
}

TEST_CASE("embeddings and legacy completions on mock models", "[integration][inference]") {
  TestGateway gw(kConfig);
  const auto auth = bearer(gw.master_key());
  const auto emb = http_request(gw.port(), "POST", "/v1/embeddings", R"({"model":"embed","input":["a","b"]})", auth);
  REQUIRE(emb.status == 200);
  CHECK(parse(emb.body)["data"].Size() == 2);
  const auto cmp = http_request(gw.port(), "POST", "/v1/completions", R"({"model":"gpt-4o-mini","prompt":"hi"})", auth);
  REQUIRE(cmp.status == 200);
  CHECK(std::string(parse(cmp.body)["object"].GetString()) == "text_completion");
}

TEST_CASE("an address that keeps guessing keys gets 429 for unknown keys only", "[integration][auth]") {
  TestGateway gw(std::string(kConfig) + "general_settings: {max_auth_failures_per_minute: 5}\n");
  for (int i = 0; i < 5; ++i) {
    const auto guess = "sk-guess-" + std::to_string(i) + "-aaaaaaaaaaaa";
    CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(guess)).status == 401);
  }
  const auto blocked = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer("sk-guess-next-aaaaaaaa"));
  CHECK(blocked.status == 429);
  CHECK(std::stoi(blocked.header("retry-after")) >= 1);
  CHECK_THAT(blocked.body, Catch::Contains("failed authentication"));
  // Credentials the gateway already knows keep working from the same address.
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(gw.master_key())).status == 200);
}
