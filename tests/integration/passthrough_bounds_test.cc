// Pass-through reservations are true upper bounds (docs/budgets.md "The reservation rule",
// docs/api.md "Pass-through"): each wire format's own output limit is read (Gemini's
// generationConfig.maxOutputTokens, Bedrock Converse's inferenceConfig.maxTokens); a request
// without one to a model whose maximum output is unknown goes up with the limit the gateway
// reserved; every deployment naming the model prices it (the dearest); an upstream ignoring the
// limit is charged in full and counted; Gemini paths refuse dot segments as /vertex_ai does.
// Real gateway, real loopback HTTP, tollgate-mock as the provider.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;

namespace {

const std::string kProviderKey = "sk-pt-bounds-" + std::to_string(::getpid());
const std::string kAwsSecret = "aws-pt-bounds-" + std::to_string(::getpid());

// 40,000 bytes of ASCII reply: 10,000 tokens to tollgate-mock's `tokenizer`, which stops at the
// request's limit as a provider does. No model here is in the built-in table.
const std::string kGemini = "gemini-tg+tokenizer+size-40000";
const std::string kNova = "amazon.tg-v1:0+tokenizer+size-40000";
const std::string kChatModel = "tg-chat+tokenizer+size-40000";
const std::string kClaude = "claude-tg+tokenizer+size-40000";
constexpr const char* kPrices = "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000001}\n";

std::string deployment(const std::string& name, const std::string& model, const std::string& params,
                       const std::string& info = kPrices) {
  return "  - model_name: " + name + "\n    litellm_params: {model: \"" + model + "\", " + params + "}\n" + info;
}

std::string config_for(const MockUpstream& mock, const TestDatabase& db) {
  register_secret(kProviderKey);
  register_secret(kAwsSecret);
  const std::string origin = "api_base: \"http://127.0.0.1:" + std::to_string(mock.port()) + "\"";
  const std::string key = origin + ", api_key: " + kProviderKey;
  return "model_list:\n" + deployment("g", "gemini/" + kGemini, key) +
         deployment("n", "bedrock/" + kNova,
                    origin + ", aws_access_key_id: AKIDBOUNDS, aws_secret_access_key: " + kAwsSecret +
                        ", aws_region_name: eu-west-1") +
         deployment("c", "openai/" + kChatModel, "api_base: \"" + mock.base_url() + "\", api_key: " + kProviderKey) +
         deployment("a", "anthropic/" + kClaude, key) + "general_settings:\n" + db.gateway_settings();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string gemini_path(const std::string& model) { return "/gemini/v1beta/models/" + model + ":generateContent"; }
std::string converse_path(const std::string& model) { return "/bedrock/model/" + model + "/converse"; }

const std::string kGeminiHi = R"("contents":[{"role":"user","parts":[{"text":"hi"}]}])";
const std::string kConverseHi = R"("messages":[{"role":"user","content":[{"text":"hi"}]}])";

std::string metrics(const TestGateway& gw) { return http_request(gw.port(), "GET", "/metrics").body; }

struct World {
  MockUpstream mock;
  TestDatabase db{"sqlite"};
  TestGateway gw{config_for(mock, db), db.gateway_env()};
};

}  // namespace

TEST_CASE("pass-through reads Gemini's and Bedrock Converse's own output limits into the reservation",
          "[integration][passthrough][budgets]") {
  World w;
  // 100,000 output tokens at $1/M are $0.10, over the budget: the limit the provider obeys must
  // be the one reserved (it was 4,096 tokens, $0.004, and the answer's 10,000 settled above it).
  const auto key = issue_key(w.gw, R"({"max_budget":0.05})");
  const std::string gemini_bodies[] = {
      "{" + kGeminiHi + R"(,"generationConfig":{"maxOutputTokens":100000}})",
      "{" + kGeminiHi + R"(,"generation_config":{"max_output_tokens":100000}})",  // protobuf's JSON takes both
  };
  for (const auto& body : gemini_bodies) {
    const auto reply = http_request(w.gw.port(), "POST", gemini_path(kGemini), body, bearer(key));
    CHECK(reply.status == 429);
    CHECK_THAT(reply.body, Catch::Contains("budget_exceeded"));
  }
  const auto converse = http_request(w.gw.port(), "POST", converse_path(kNova),
                                     "{" + kConverseHi + R"(,"inferenceConfig":{"maxTokens":100000}})", bearer(key));
  CHECK(converse.status == 429);
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);

  // A small limit fits, is obeyed, and the settle stays within the reservation.
  CHECK(http_request(w.gw.port(), "POST", gemini_path(kGemini),
                     "{" + kGeminiHi + R"(,"generationConfig":{"maxOutputTokens":20}})", bearer(key))
            .status == 200);
  CHECK(http_request(w.gw.port(), "POST", converse_path(kNova),
                     "{" + kConverseHi + R"(,"inferenceConfig":{"maxTokens":20}})", bearer(key))
            .status == 200);
  const auto rows = spend_rows_of_key(w.db, key, 2);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) CHECK(row.completion_tokens <= 20);
  CHECK_THAT(metrics(w.gw), Catch::Contains("tollgate_settle_above_reservation_total 0"));
}

TEST_CASE("pass-through without an output limit to a model of unknown maximum sends the limit it reserved",
          "[integration][passthrough][budgets]") {
  World w;
  const auto key = issue_key(w.gw, R"({"max_budget":1})");
  // Each wire format gets its limit where its provider reads it: 4,096, what was reserved.
  struct Case {
    std::string path;
    std::string body;
    std::vector<std::string> where;
  };
  const std::vector<Case> cases = {
      {gemini_path(kGemini), "{" + kGeminiHi + "}", {"generationConfig", "maxOutputTokens"}},
      {gemini_path(kGemini),
       "{" + kGeminiHi + R"(,"generationConfig":{"temperature":0.5}})",
       {"generationConfig", "maxOutputTokens"}},
      {"/gemini/v1beta/models/" + kGemini + ":streamGenerateContent?alt=sse",
       "{" + kGeminiHi + "}",
       {"generationConfig", "maxOutputTokens"}},
      {converse_path(kNova), "{" + kConverseHi + "}", {"inferenceConfig", "maxTokens"}},
      {"/bedrock/model/" + kNova + "/converse-stream", "{" + kConverseHi + "}", {"inferenceConfig", "maxTokens"}},
      {"/openai/v1/chat/completions",
       R"({"model":")" + kChatModel + R"(","messages":[{"role":"user","content":"hi"}]})",
       {"max_completion_tokens"}},
      {"/anthropic/v1/messages",
       R"({"model":")" + kClaude + R"(","messages":[{"role":"user","content":"hi"}]})",
       {"max_tokens"}},
  };
  for (const auto& c : cases) {
    INFO(c.path << " " << c.body);
    const auto reply = http_request(w.gw.port(), "POST", c.path, c.body, bearer(key));
    REQUIRE(reply.status == 200);
    const auto sent = w.mock.last_body();
    const rapidjson::Value* at = &sent;
    for (const auto& name : c.where) {
      REQUIRE(at->IsObject());
      REQUIRE(at->HasMember(name.c_str()));
      at = &(*at)[name.c_str()];
    }
    CHECK(at->GetInt64() == 4096);
  }
  CHECK(w.mock.last_body()["messages"].IsArray());  // the rest of the body goes up as it was
  const auto rows = spend_rows_of_key(w.db, key, cases.size());
  REQUIRE(rows.size() == cases.size());
  for (const auto& row : rows) CHECK(row.completion_tokens <= 4096);  // 10,000 without the limit
  CHECK_THAT(metrics(w.gw), Catch::Contains("tollgate_settle_above_reservation_total 0"));

  // A limit the gateway cannot read, for a model of unknown maximum: refused, not overwritten.
  w.mock.reset();
  const auto unreadable =
      http_request(w.gw.port(), "POST", gemini_path(kGemini),
                   "{" + kGeminiHi + R"(,"generationConfig":{"maxOutputTokens":"100000"}})", bearer(key));
  CHECK(unreadable.status == 400);
  CHECK_THAT(std::string(json(unreadable.body)["error"]["message"].GetString()), Catch::Contains("maxOutputTokens"));
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);
}

TEST_CASE("an upstream that ignores the output limit is charged in full and counted, not crashed on",
          "[integration][passthrough][budgets]") {
  MockUpstream mock;
  TestDatabase db{"sqlite"};
  register_secret(kProviderKey);
  // No `tokenizer`: tollgate-mock then ignores every limit (a reply of ~6,000 words, each a
  // completion token). model_info says 10 tokens at most: the reservation.
  const std::string origin = "api_base: \"http://127.0.0.1:" + std::to_string(mock.port()) + "\"";
  TestGateway gw("model_list:\n" +
                     deployment("g", "gemini/gemini-tg-liar+size-40000", origin + ", api_key: " + kProviderKey,
                                "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000001, "
                                "max_output_tokens: 10}\n") +
                     "general_settings:\n" + db.gateway_settings(),
                 db.gateway_env());
  const auto key = issue_key(gw, R"({"max_budget":1})");
  const auto reply =
      http_request(gw.port(), "POST", gemini_path("gemini-tg-liar+size-40000"), "{" + kGeminiHi + "}", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK_FALSE(mock.last_body().HasMember("generationConfig"));  // a known maximum: sent as it was
  const auto rows = spend_rows_of_key(db, key, 1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].completion_tokens > 1000);
  CHECK(rows[0].spend == Approx((rows[0].prompt_tokens + rows[0].completion_tokens) * 1e-6));
  CHECK_THAT(metrics(gw), Catch::Contains("tollgate_settle_above_reservation_total 1"));
  CHECK(http_request(gw.port(), "POST", gemini_path("gemini-tg-liar+size-40000"), "{" + kGeminiHi + "}", bearer(key))
            .status == 200);
}

TEST_CASE("every deployment naming a pass-through model prices it, the dearest when several do",
          "[integration][passthrough][budgets]") {
  MockUpstream mock;
  TestDatabase db{"sqlite"};
  register_secret(kProviderKey);
  const std::string params =
      "api_base: \"http://127.0.0.1:" + std::to_string(mock.port()) + "\", api_key: " + kProviderKey;
  const auto priced = [](const char* in, const char* out) {
    return std::string("    model_info: {input_cost_per_token: ") + in + ", output_cost_per_token: " + out + "}\n";
  };
  TestGateway gw("model_list:\n" +
                     deployment("first", "gemini/gemini-tg-first", params, priced("0.000001", "0.000001")) +
                     deployment("second", "gemini/gemini-tg-second", params, priced("0.000002", "0.000003")) +
                     deployment("dear", "gemini/gemini-tg-first", params, priced("0.00001", "0.00002")) +
                     "general_settings:\n" + db.gateway_settings(),
                 db.gateway_env());
  const auto key = issue_key(gw, R"({"max_budget":10})");
  const std::string body = "{" + kGeminiHi + R"(,"generationConfig":{"maxOutputTokens":50}})";
  CHECK(http_request(gw.port(), "POST", gemini_path("gemini-tg-second"), body, bearer(key)).status == 200);  // was 403
  CHECK(http_request(gw.port(), "POST", gemini_path("gemini-tg-first"), body, bearer(key)).status == 200);
  const auto rows = spend_rows_of_key(db, key, 2);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    INFO(row.model);
    REQUIRE(row.completion_tokens > 0);
    if (row.model == "gemini-tg-second") {
      CHECK(row.spend == Approx(row.prompt_tokens * 2e-6 + row.completion_tokens * 3e-6));
    } else {  // the dearer of its two deployments
      CHECK(row.spend == Approx(row.prompt_tokens * 1e-5 + row.completion_tokens * 2e-5));
    }
  }
}

TEST_CASE("Gemini pass-through paths with dot segments or escaped dots and slashes are refused, as /vertex_ai's",
          "[integration][passthrough]") {
  World w;
  const auto key = issue_key(w.gw, R"({"max_budget":1})");
  for (const std::string& path : std::vector<std::string>{
           "/gemini/v1beta/models/../../v1/tunedModels/x/models/" + kGemini + ":generateContent",
           "/gemini/v1beta/models/%2e%2e/%2E%2E/files/models/" + kGemini + ":generateContent",
           "/gemini/v1beta/models/x%2F..%2Fy/models/" + kGemini + ":generateContent",
           "/gemini/v1beta/./models/" + kGemini + ":generateContent",
       }) {
    INFO(path);
    const auto reply = http_request(w.gw.port(), "POST", path, "{" + kGeminiHi + "}", bearer(key));
    CHECK(reply.status == 400);
    CHECK(json(reply.body)["error"].HasMember("message"));
  }
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);
  CHECK(http_request(w.gw.port(), "POST", gemini_path(kGemini), "{" + kGeminiHi + "}", bearer(key)).status == 200);
}

TEST_CASE("Gemini's built-in tools through /gemini/* are refused before the call, declared functions pass",
          "[integration][passthrough][budgets]") {
  World w;
  const auto key = issue_key(w.gw, R"({"max_budget":1})");
  const std::string functions = R"({"functionDeclarations":[{"name":"get","parameters":{"type":"object"}}]})";
  for (const char* builtin : {R"({"googleSearch":{}})", R"({"codeExecution":{}})", R"({"url_context":{}})",
                              R"({"googleSearchRetrieval":{"dynamicRetrievalConfig":{}}})",
                              R"({"functionDeclarations":[],"googleSearch":{}})", R"({"someFutureTool":{}})"}) {
    INFO(builtin);
    const auto reply = http_request(w.gw.port(), "POST", gemini_path(kGemini),
                                    "{" + kGeminiHi + R"(,"tools":[)" + functions + "," + builtin + "]}", bearer(key));
    CHECK(reply.status == 400);
    const auto body = json(reply.body);
    REQUIRE(body.HasMember("error"));
    CHECK(std::string(body["error"]["param"].GetString()) == "tools[1]");
    CHECK_THAT(std::string(body["error"]["message"].GetString()), Catch::Contains("built-in tools"));
  }
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);
  CHECK(http_request(w.gw.port(), "POST", gemini_path(kGemini), "{" + kGeminiHi + R"(,"tools":[)" + functions + "]}",
                     bearer(key))
            .status == 200);
}
