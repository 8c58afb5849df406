// /vertex_ai/* pass-through, and Google's key places on /gemini/* and /vertex_ai/*, through the
// real gateway and tollgate-mock: the first vertex_ai/ deployment's service account gives the
// bearer token (the caller's never goes up), its project and location replace the caller's,
// Gemini and Claude inference shapes are budgeted and charged from their usage (streamed too),
// every other Vertex path is for proxy admins; Google SDKs' x-goog-api-key / ?key= carry a
// Tollgate key on those routes only.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include <fstream>
#include <thread>

#include "core/key_hash.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"
#include "tests/support/vertex_service_account.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kGeminiKey = "AIza-vertex-pt-" + std::to_string(::getpid());
const std::string kCallerGoogleToken = "ya29.caller-own-token-" + std::to_string(::getpid());

const std::string kGeminiPath = "/publishers/google/models/gemini-2.0-flash:generateContent";
const std::string kClaudeModel = "claude-3-5-haiku@20241022";
const std::string kGenerate = R"({"contents":[{"role":"user","parts":[{"text":"hello vertex pass-through"}]}]})";
const std::string kClaudeBody =
    R"({"anthropic_version":"vertex-2023-10-16","max_tokens":50,"messages":[{"role":"user","content":"hi"}]})";

std::string config_for(const MockUpstream& mock, const TestDatabase& db, const std::string& project = "my-project") {
  register_secret(kGeminiKey);
  register_secret(kCallerGoogleToken);
  const std::string origin = "http://127.0.0.1:" + std::to_string(mock.port());
  return "model_list:\n"
         "  - model_name: flash-vertex\n"
         "    litellm_params:\n"
         "      model: vertex_ai/gemini-2.0-flash\n"
         "      api_base: " +
         origin + "\n      vertex_project: " + project +
         "\n      vertex_location: europe-west4\n      vertex_credentials: " +
         single_quoted(service_account_json(token_uri(mock))) +
         // A known maximum output: the gateway sends the body unchanged (without one it would
         // write the output limit it reserved, tests/integration/passthrough_bounds_test.cc).
         "\n    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, max_output_tokens: "
         "8192}\n"
         "  - model_name: flash\n"
         "    litellm_params: {model: gemini/gemini-2.0-flash, api_base: \"" +
         origin + "\", api_key: " + kGeminiKey +
         "}\n"
         "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
         "general_settings:\n" +
         db.gateway_settings();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// As the Vertex SDKs send it: their own Google token in Authorization, the Tollgate key in
// x-litellm-api-key (LiteLLM's documented header for this route).
HeaderList vertex_sdk_headers(const std::string& key) {
  return {{"Authorization", "Bearer " + kCallerGoogleToken}, {"x-litellm-api-key", key}};
}

struct World {
  MockUpstream mock;
  TestDatabase db{"sqlite"};
  TestGateway gw{config_for(mock, db), db.gateway_env()};
};

}  // namespace

TEST_CASE("/vertex_ai/* sends the deployment's access token and project, never the caller's, and charges usage",
          "[integration][passthrough][vertex]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  // The caller names another project and location: the configured ones are used.
  const auto reply =
      http_request(w.gw.port(), "POST", "/vertex_ai/v1/projects/their-project/locations/us-east1" + kGeminiPath,
                   kGenerate, vertex_sdk_headers(key));
  REQUIRE(reply.status == 200);
  CHECK(json(reply.body).HasMember("usageMetadata"));  // Vertex's own answer, unchanged
  CHECK_FALSE(reply.header("x-litellm-call-id").empty());
  const auto last = w.mock.last();
  CHECK(str(last["path"]) == "/v1/projects/my-project/locations/europe-west4" + kGeminiPath);
  CHECK(str(last["headers"]["authorization"]).rfind("Bearer ya29.mock-", 0) == 0);
  CHECK_FALSE(last["headers"].HasMember("x-litellm-api-key"));
  CHECK(str(last["body"]) == kGenerate);

  const auto rows = spend_rows_of_key(w.db, key, 1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].call_type == "pass_through_endpoint");
  CHECK(rows[0].model == "gemini-2.0-flash");
  CHECK(rows[0].model_group == "vertex_ai/gemini-2.0-flash");
  CHECK(rows[0].prompt_tokens > 0);
  CHECK(rows[0].completion_tokens > 0);
  // At the deployment's model_info prices: it serves this model.
  CHECK(rows[0].spend == Approx(rows[0].prompt_tokens * 1e-6 + rows[0].completion_tokens * 2e-6));

  // The short forms: express mode's /{version}/publishers/… and LiteLLM's /publishers/….
  CHECK(http_request(w.gw.port(), "POST", "/vertex_ai/v1beta1" + kGeminiPath, kGenerate, vertex_sdk_headers(key))
            .status == 200);
  CHECK(str(w.mock.last()["path"]) == "/v1beta1/projects/my-project/locations/europe-west4" + kGeminiPath);
  CHECK(http_request(w.gw.port(), "POST", "/vertex_ai" + kGeminiPath, kGenerate, vertex_sdk_headers(key)).status ==
        200);
  CHECK(str(w.mock.last()["path"]) == "/v1/projects/my-project/locations/europe-west4" + kGeminiPath);
}

TEST_CASE("Claude on /vertex_ai/*: rawPredict and a streamRawPredict stream charged from Anthropic's usage",
          "[integration][passthrough][vertex][streaming]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  const std::string base = "/vertex_ai/v1/projects/p/locations/l/publishers/anthropic/models/" + kClaudeModel;
  const auto whole = http_request(w.gw.port(), "POST", base + ":rawPredict", kClaudeBody, vertex_sdk_headers(key));
  REQUIRE(whole.status == 200);
  CHECK(str(json(whole.body)["type"]) == "message");
  std::string streamed = kClaudeBody;
  streamed.insert(1, R"("stream":true,)");
  int status = 0;
  const auto events = read_sse(w.gw.port(), base + ":streamRawPredict", streamed, vertex_sdk_headers(key), &status);
  CHECK(status == 200);
  CHECK(events.size() > 2);
  CHECK(str(w.mock.last()["path"]) == "/v1/projects/my-project/locations/europe-west4/publishers/anthropic/models/" +
                                          kClaudeModel + ":streamRawPredict");
  const auto rows = spend_rows_of_key(w.db, key, 2);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    CHECK(row.model == kClaudeModel);
    CHECK(row.prompt_tokens > 0);
    CHECK(row.completion_tokens > 0);
    // Claude 3.5 Haiku's built-in price ($0.80/M in, $4/M out): the @date names the family.
    CHECK(row.spend == Approx(row.prompt_tokens * 0.8e-6 + row.completion_tokens * 4e-6));
  }
}

TEST_CASE("/vertex_ai/* model access, budgets, admin-only paths and malformed paths",
          "[integration][passthrough][vertex][budgets]") {
  World w;
  const auto flash_only = issue_key(w.gw, R"({"models":["vertex_ai/gemini-2.0-flash"]})");
  const std::string project = "/vertex_ai/v1/projects/p/locations/l";
  CHECK(http_request(w.gw.port(), "POST", project + kGeminiPath, kGenerate, vertex_sdk_headers(flash_only)).status ==
        200);
  const auto claude =
      http_request(w.gw.port(), "POST", project + "/publishers/anthropic/models/" + kClaudeModel + ":rawPredict",
                   kClaudeBody, vertex_sdk_headers(flash_only));
  CHECK(claude.status == 403);
  CHECK(w.mock.requests_for_model(kClaudeModel) == 0);

  // Claude may answer thousands of tokens: its worst case is far above $0.0001.
  const auto poor = issue_key(w.gw, R"({"max_budget":0.0001})");
  const auto refused =
      http_request(w.gw.port(), "POST", project + "/publishers/anthropic/models/" + kClaudeModel + ":rawPredict",
                   kClaudeBody, vertex_sdk_headers(poor));
  CHECK(refused.status == 429);
  CHECK_THAT(refused.body, Catch::Contains("budget_exceeded"));

  // Not an inference call: proxy admins only.
  const auto rich = issue_key(w.gw, R"({"max_budget":10})");
  const auto count =
      http_request(w.gw.port(), "POST", project + "/publishers/google/models/gemini-2.0-flash:countTokens", kGenerate,
                   vertex_sdk_headers(rich));
  CHECK(count.status == 403);
  CHECK_THAT(str(json(count.body)["error"]["message"]), Catch::Contains("Only proxy admins"));
  const auto admin_count =
      http_request(w.gw.port(), "POST", project + "/publishers/google/models/gemini-2.0-flash:countTokens", kGenerate,
                   vertex_sdk_headers(w.gw.master_key()));
  CHECK(admin_count.status == 404);  // reached tollgate-mock, which has no countTokens route
  CHECK(str(w.mock.last()["path"]) ==
        "/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:countTokens");

  // A path that could leave the configured project, or names a project without a location.
  const auto requests_before = w.mock.stats()["requests"].GetInt64();
  for (const std::string& path : {"/vertex_ai/v1/publishers/../../projects/other/locations/l" + kGeminiPath,
                                  "/vertex_ai/v1/publishers/%2e%2e/%2e%2e/projects/other/locations/l" + kGeminiPath,
                                  std::string("/vertex_ai/v1/projects/other")}) {
    CAPTURE(path);
    const auto bad = http_request(w.gw.port(), "POST", path, kGenerate, bearer(w.gw.master_key()));
    CHECK(bad.status == 400);
    CHECK(json(bad.body)["error"].HasMember("message"));
  }
  CHECK(w.mock.stats()["requests"].GetInt64() == requests_before + 0);
  CHECK(http_request(w.gw.port(), "POST", project + kGeminiPath, kGenerate).status == 401);
}

TEST_CASE("/vertex_ai/* follows a config reload, without a vertex_ai/ deployment it is 404",
          "[integration][passthrough][vertex]") {
  World w;
  const std::string path = "/vertex_ai/v1/projects/p/locations/l" + kGeminiPath;
  REQUIRE(http_request(w.gw.port(), "POST", path, kGenerate, bearer(w.gw.master_key())).status == 200);
  std::ofstream(w.gw.config_path()) << config_for(w.mock, w.db, "reloaded-project");
  REQUIRE(http_request(w.gw.port(), "POST", "/config/reload", "", bearer(w.gw.master_key())).status == 200);
  REQUIRE(http_request(w.gw.port(), "POST", path, kGenerate, bearer(w.gw.master_key())).status == 200);
  CHECK(str(w.mock.last()["path"]) == "/v1/projects/reloaded-project/locations/europe-west4" + kGeminiPath);

  TestDatabase db("sqlite");
  TestGateway bare("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\ngeneral_settings:\n" +
                   db.gateway_settings());
  const auto none = http_request(bare.port(), "POST", path, kGenerate, bearer(bare.master_key()));
  CHECK(none.status == 404);
  CHECK_THAT(str(json(none.body)["error"]["message"]), Catch::Contains("vertex_ai/ deployment"));
}

TEST_CASE("Google SDKs' key places carry a Tollgate key on /gemini/* and /vertex_ai/* only",
          "[integration][passthrough][vertex][auth]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  register_secret(key);  // it rides in a URL below: no log line may show it
  const std::string gemini = "/gemini/v1beta/models/gemini-2.0-flash:generateContent";

  const auto in_header = http_request(w.gw.port(), "POST", gemini, kGenerate, {{"x-goog-api-key", key}});
  REQUIRE(in_header.status == 200);
  CHECK(str(w.mock.last()["headers"]["x-goog-api-key"]) == kGeminiKey);  // the deployment's, never the caller's

  const auto in_query = http_request(w.gw.port(), "POST", gemini + "?key=" + key, kGenerate);
  REQUIRE(in_query.status == 200);
  CHECK(str(w.mock.last()["path"]).find(key) == std::string::npos);
  CHECK(str(w.mock.last()["headers"]["x-goog-api-key"]) == kGeminiKey);

  const auto vertex =
      http_request(w.gw.port(), "POST", "/vertex_ai/v1beta1" + kGeminiPath, kGenerate, {{"x-goog-api-key", key}});
  REQUIRE(vertex.status == 200);
  CHECK_FALSE(w.mock.last()["headers"].HasMember("x-goog-api-key"));
  CHECK(spend_rows_of_key(w.db, key, 3).size() == 3);

  const std::string wrong = "sk-not-a-tollgate-key-" + std::to_string(::getpid());
  CHECK(http_request(w.gw.port(), "POST", gemini, kGenerate, {{"x-goog-api-key", wrong}}).status == 401);
  CHECK(http_request(w.gw.port(), "POST", gemini + "?key=" + wrong, kGenerate).status == 401);
  CHECK(http_request(w.gw.port(), "POST", gemini + "?key=", kGenerate).status == 401);
  const auto other_model = issue_key(w.gw, R"({"models":["gpt-4o-mini"]})");
  CHECK(http_request(w.gw.port(), "POST", gemini, kGenerate, {{"x-goog-api-key", other_model}}).status == 403);
  CHECK(http_request(w.gw.port(), "POST", gemini + "?key=" + other_model, kGenerate).status == 403);

  // Every other route ignores both places.
  const std::string chat = R"({"model":"flash","messages":[{"role":"user","content":"hi"}]})";
  CHECK(http_request(w.gw.port(), "POST", "/v1/chat/completions", chat, {{"x-goog-api-key", key}}).status == 401);
  CHECK(http_request(w.gw.port(), "POST", "/v1/chat/completions?key=" + key, chat).status == 401);
  CHECK(http_request(w.gw.port(), "POST", "/openai/v1/chat/completions?key=" + key, chat).status == 401);
}
