// Pass-through routes (/openai/*, /anthropic/*, /gemini/*, /bedrock/*) through the real
// gateway and tollgate-mock: Tollgate keys authenticate, the gateway's provider credential is
// injected and the caller's never forwarded, the model named is checked against the key's
// model access, budgets are reserved, and the answer's usage is settled and logged.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include <thread>

#include "core/key_hash.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kOpenAiKey = "sk-pt-openai-" + std::to_string(::getpid());
const std::string kAnthropicKey = "sk-ant-pt-" + std::to_string(::getpid());
const std::string kGeminiKey = "AIza-pt-" + std::to_string(::getpid());
const std::string kAwsSecret = "aws-pt-secret-" + std::to_string(::getpid());
const std::string kCallerProviderKey = "sk-caller-own-provider-key-" + std::to_string(::getpid());

std::string config_for(const MockUpstream& mock, const TestDatabase& db) {
  for (const auto* s : {&kOpenAiKey, &kAnthropicKey, &kGeminiKey, &kAwsSecret, &kCallerProviderKey})
    register_secret(*s);
  const std::string origin = "http://127.0.0.1:" + std::to_string(mock.port());
  return "model_list:\n"
         "  - model_name: gpt\n"
         "    litellm_params: {model: openai/gpt-4o-mini, api_base: \"" +
         mock.base_url() + "\", api_key: " + kOpenAiKey +
         "}\n"
         "  - model_name: claude\n"
         "    litellm_params: {model: anthropic/claude-3-5-haiku-20241022, api_base: \"" +
         origin + "\", api_key: " + kAnthropicKey +
         "}\n"
         "  - model_name: flash\n"
         "    litellm_params: {model: gemini/gemini-2.0-flash, api_base: \"" +
         origin + "\", api_key: " + kGeminiKey +
         "}\n"
         "    model_info: {input_cost_per_token: 0.0000001, output_cost_per_token: 0.0000004}\n"
         "  - model_name: nova\n"
         "    litellm_params: {model: \"bedrock/amazon.nova-lite-v1:0\", api_base: \"" +
         origin + "\", aws_access_key_id: AKIDPASSTHROUGH, aws_secret_access_key: " + kAwsSecret +
         ", aws_region_name: eu-west-1}\n"
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

const std::string kChat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello pass-through"}]})";

std::string last_header(const MockUpstream& mock, const char* name) {
  const auto last = mock.last();
  return last["headers"].HasMember(name) ? str(last["headers"][name]) : std::string();
}

struct World {
  MockUpstream mock;
  TestDatabase db{"sqlite"};
  TestGateway gw{config_for(mock, db), db.gateway_env()};
};

}  // namespace

TEST_CASE("/openai/* injects the deployment's key, never the caller's, and charges the usage",
          "[integration][passthrough]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  HeaderList headers = bearer(key);
  headers.push_back({"x-api-key", kCallerProviderKey});
  headers.push_back({"x-goog-api-key", kCallerProviderKey});
  const auto reply = http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", kChat, headers);
  REQUIRE(reply.status == 200);
  CHECK(str(json(reply.body)["object"]) == "chat.completion");  // the provider's own answer
  CHECK_FALSE(reply.header("x-litellm-call-id").empty());
  const auto last = w.mock.last();
  CHECK(str(last["path"]) == "/v1/chat/completions");
  CHECK(str(last["headers"]["authorization"]) == "Bearer " + kOpenAiKey);
  CHECK_FALSE(last["headers"].HasMember("x-api-key"));
  CHECK_FALSE(last["headers"].HasMember("x-goog-api-key"));
  CHECK(str(last["body"]).find(kCallerProviderKey) == std::string::npos);

  const auto rows = spend_rows_of_key(w.db, key, 1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].call_type == "pass_through_endpoint");
  CHECK(rows[0].model == "gpt-4o-mini");
  CHECK(rows[0].prompt_tokens > 0);
  CHECK(rows[0].completion_tokens > 0);
  // At gpt-4o-mini's built-in price: $0.15/M input, $0.60/M output.
  CHECK(rows[0].spend == Approx(rows[0].prompt_tokens * 0.15e-6 + rows[0].completion_tokens * 0.60e-6));
}

TEST_CASE("an OpenAI stream through /openai/* is relayed and charged from its usage chunk",
          "[integration][passthrough][streaming]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  int status = 0;
  const auto events = read_sse(w.gw.port(), "/openai/v1/chat/completions",
                               R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]})",
                               bearer(key), &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() > 2);
  CHECK(json(str(w.mock.last()["body"]))["stream_options"]["include_usage"].GetBool());
  const auto rows = spend_rows_of_key(w.db, key, 1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].completion_tokens > 0);
  CHECK(rows[0].spend > 0);
}

TEST_CASE("/anthropic/v1/messages and its stream are charged from Anthropic's usage", "[integration][passthrough]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  const std::string body =
      R"({"model":"claude-3-5-haiku-20241022","max_tokens":50,"messages":[{"role":"user","content":"hi"}]})";
  // An Anthropic client sends its key in x-api-key: here the Tollgate key.
  const auto reply = http_request(w.gw.port(), "POST", "/anthropic/v1/messages", body, {{"x-api-key", key}});
  REQUIRE(reply.status == 200);
  CHECK(str(json(reply.body)["type"]) == "message");
  auto last = w.mock.last();
  CHECK(str(last["path"]) == "/v1/messages");
  CHECK(str(last["headers"]["x-api-key"]) == kAnthropicKey);
  CHECK(str(last["headers"]["anthropic-version"]) == "2023-06-01");

  int status = 0;
  const auto events = read_sse(w.gw.port(), "/anthropic/v1/messages",
                               body.substr(0, body.size() - 1) + R"(,"stream":true})", {{"x-api-key", key}}, &status);
  REQUIRE(status == 200);
  CHECK_THAT(events.front().data, Catch::Contains("message_start"));
  const auto rows = spend_rows_of_key(w.db, key, 2);
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    CHECK(row.model == "claude-3-5-haiku-20241022");
    CHECK(row.prompt_tokens > 0);
    CHECK(row.completion_tokens > 0);
    CHECK(row.spend > 0);
  }
}

TEST_CASE("/gemini/* sends the deployment's key in x-goog-api-key and drops the caller's ?key=",
          "[integration][passthrough]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  const auto reply = http_request(w.gw.port(), "POST",
                                  "/gemini/v1beta/models/gemini-2.0-flash:generateContent?key=" + kCallerProviderKey,
                                  R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})", bearer(key));
  REQUIRE(reply.status == 200);
  CHECK(json(reply.body).HasMember("usageMetadata"));
  const auto last = w.mock.last();
  CHECK(str(last["path"]).find(kCallerProviderKey) == std::string::npos);
  CHECK(str(last["headers"]["x-goog-api-key"]) == kGeminiKey);
  const auto rows = spend_rows_of_key(w.db, key, 1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].model == "gemini-2.0-flash");
  CHECK(rows[0].prompt_tokens > 0);
}

TEST_CASE("/bedrock/* is re-signed with the deployment's AWS credentials", "[integration][passthrough]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  HeaderList headers = bearer(key);
  headers.push_back({"x-amz-security-token", kCallerProviderKey});
  const auto reply = http_request(w.gw.port(), "POST", "/bedrock/model/amazon.nova-lite-v1:0/converse",
                                  R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})", headers);
  REQUIRE(reply.status == 200);
  CHECK(json(reply.body).HasMember("usage"));
  const auto last = w.mock.last();
  CHECK(str(last["path"]) == "/model/amazon.nova-lite-v1%3A0/converse");
  const auto authorization = str(last["headers"]["authorization"]);
  CHECK(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDPASSTHROUGH/", 0) == 0);
  CHECK_THAT(authorization, Catch::Contains("/eu-west-1/bedrock/aws4_request"));
  CHECK_FALSE(last["headers"].HasMember("x-amz-security-token"));  // the caller's never goes on
  const auto rows = spend_rows_of_key(w.db, key, 1);
  REQUIRE(rows.size() == 1);
  // At the deployment's model_info prices.
  CHECK(rows[0].spend == Approx(rows[0].prompt_tokens * 1e-6 + rows[0].completion_tokens * 2e-6));
}

TEST_CASE("pass-through model access, budgets and errors", "[integration][passthrough][budgets]") {
  World w;
  const auto one = issue_key(w.gw, R"({"models":["openai/gpt-4o-mini"]})");
  CHECK(http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", kChat, bearer(one)).status == 200);
  const auto other = http_request(w.gw.port(), "POST", "/openai/v1/chat/completions",
                                  R"({"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]})", bearer(one));
  CHECK(other.status == 403);
  CHECK(w.mock.requests_for_model("gpt-4.1") == 0);
  CHECK(http_request(w.gw.port(), "POST", "/anthropic/v1/messages",
                     R"({"model":"claude-3-5-haiku-20241022","max_tokens":5,"messages":[]})", bearer(one))
            .status == 403);

  // gpt-4o-mini may answer 16,384 tokens: its worst case is far above $0.0001.
  const auto poor = issue_key(w.gw, R"({"max_budget":0.0001})");
  const auto refused = http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", kChat, bearer(poor));
  CHECK(refused.status == 429);
  CHECK_THAT(refused.body, Catch::Contains("budget_exceeded"));
  // A path that is not an inference call is for proxy admins only (it reaches what other keys
  // keep at the provider); for them it reserves pass_through_reservation ($0.10).
  CHECK(http_request(w.gw.port(), "GET", "/openai/v1/models", "", bearer(poor)).status == 403);
  const auto admin =
      http_request(w.gw.port(), "POST", "/user/new", R"({"user_role":"proxy_admin"})", bearer(w.gw.master_key()));
  REQUIRE(admin.status == 200);
  const auto admin_id = str(json(admin.body)["user_id"]);
  const auto poor_admin = issue_key(w.gw, R"({"max_budget":0.0001,"user_id":")" + admin_id + R"("})");
  CHECK(http_request(w.gw.port(), "GET", "/openai/v1/models", "", bearer(poor_admin)).status == 429);
  const auto rich_admin = issue_key(w.gw, R"({"max_budget":1,"user_id":")" + admin_id + R"("})");
  CHECK(http_request(w.gw.port(), "GET", "/openai/v1/models", "", bearer(rich_admin)).status == 200);
  const auto enough = issue_key(w.gw, R"({"max_budget":1})");
  const auto files = http_request(w.gw.port(), "GET", "/openai/v1/files", "", bearer(enough));
  CHECK(files.status == 403);
  CHECK_THAT(str(json(files.body)["error"]["message"]), Catch::Contains("Only proxy admins"));
  // Chaining onto stored state must go through /v1/responses, which checks the owner.
  for (const std::string field : {"previous_response_id", "conversation"}) {
    const auto chained =
        http_request(w.gw.port(), "POST", "/openai/v1/responses",
                     R"({"model":"gpt-4o-mini","input":"hi",")" + field + R"(":"resp_of_another"})", bearer(enough));
    CHECK(chained.status == 400);
    CHECK(str(json(chained.body)["error"]["param"]) == field);
  }
  CHECK(w.mock.requests_for_model("gpt-4o-mini") == 1);  // only the first chat call above

  CHECK(http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", kChat).status == 401);
  const auto unknown = http_request(w.gw.port(), "POST", "/cohere/v1/chat", kChat, bearer(enough));
  CHECK(unknown.status == 404);
  CHECK(json(unknown.body).HasMember("error"));
  const auto malformed = http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", "{not json", bearer(enough));
  CHECK(malformed.status == 400);
  CHECK(json(malformed.body)["error"].HasMember("message"));
}

TEST_CASE("without a deployment of the provider, LiteLLM's environment variables give the credential",
          "[integration][passthrough]") {
  MockUpstream mock;
  TestDatabase db("sqlite");
  const std::string env_key = "sk-pt-from-env-" + std::to_string(::getpid());
  register_secret(env_key);
  TestGateway gw("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\ngeneral_settings:\n" +
                     db.gateway_settings(),
                 {{"OPENAI_API_KEY", env_key},
                  {"OPENAI_API_BASE", mock.base_url()},
                  {"ANTHROPIC_API_KEY", env_key},
                  {"ANTHROPIC_API_BASE", "http://127.0.0.1:" + std::to_string(mock.port())}});
  CHECK(http_request(gw.port(), "POST", "/openai/v1/chat/completions", kChat, bearer(gw.master_key())).status == 200);
  CHECK(last_header(mock, "authorization") == "Bearer " + env_key);
  CHECK(http_request(
            gw.port(), "POST", "/anthropic/v1/messages",
            R"({"model":"claude-3-5-haiku-20241022","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})",
            bearer(gw.master_key()))
            .status == 200);
  CHECK(last_header(mock, "x-api-key") == env_key);
  // No bedrock/ deployment and no AWS variables: nothing to sign with.
  const auto bedrock = http_request(gw.port(), "POST", "/bedrock/model/amazon.nova-lite-v1:0/converse",
                                    R"({"messages":[]})", bearer(gw.master_key()));
  CHECK(bedrock.status == 404);
  CHECK_THAT(bedrock.body, Catch::Contains("AWS"));
}

TEST_CASE("a pass-through stream cut before its usage is charged its worst case",
          "[integration][passthrough][streaming]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  int status = 0;
  // tollgate-mock resets the connection after the second chunk: the usage chunk never comes.
  read_sse(
      w.gw.port(), "/openai/v1/chat/completions",
      R"({"model":"gpt-4o-mini+reset-mid-stream+chunks-6","stream":true,"messages":[{"role":"user","content":"hi"}]})",
      bearer(key), &status);
  CHECK(status == 200);
  const auto rows = spend_rows_of_key(w.db, key, 1);
  REQUIRE(rows.size() == 1);
  // gpt-4o-mini's price (the longest known prefix of the name) and up to 16,384 output tokens
  // at $0.60/M: the reservation, $0.0098 and a little prompt.
  CHECK(rows[0].spend > 16384 * 0.60e-6);
  CHECK(rows[0].spend < 16384 * 0.60e-6 + 0.0001);
}

TEST_CASE("a pass-through stream the upstream breaks reaches the client incomplete, not finished",
          "[integration][passthrough][streaming]") {
  World w;
  const auto key = issue_key(w.gw, "{}");
  // tollgate-mock resets the connection after the second chunk.
  bool closed = false;
  const auto received = raw_exchange(
      w.gw.port(),
      raw_post(
          "/openai/v1/chat/completions",
          R"({"model":"gpt-4o-mini+reset-mid-stream+chunks-6","stream":true,"messages":[{"role":"user","content":"hi"}]})",
          {{"authorization", "Bearer " + key}}),
      std::chrono::milliseconds(5000), &closed);
  CHECK(closed);  // at once, not after the keep-alive idle timeout
  REQUIRE_THAT(received, Catch::StartsWith("HTTP/1.1 200"));
  CHECK_THAT(received, Catch::Contains("transfer-encoding: chunked") || Catch::Contains("Transfer-Encoding: chunked"));
  CHECK_THAT(received, Catch::Contains("chat.completion.chunk"));  // what came before the break
  // The chunked body never ends ("0\r\n\r\n"): an HTTP client reports a truncated response.
  CHECK_THAT(received, !Catch::EndsWith("0\r\n\r\n"));
  // A successful stream through the same route does end it.
  const auto whole = raw_exchange(
      w.gw.port(),
      raw_post("/openai/v1/chat/completions",
               R"({"model":"gpt-4o-mini+chunks-3","stream":true,"messages":[{"role":"user","content":"hi"}]})",
               {{"authorization", "Bearer " + key}, {"connection", "close"}}),
      std::chrono::milliseconds(5000));
  CHECK_THAT(whole, Catch::EndsWith("0\r\n\r\n"));
}

// The gateway checks and prices the first "model" and "max_tokens" of a body; the provider
// reads the last. A body naming a member twice is refused before anything reaches upstream.
TEST_CASE("a body naming model or max_tokens twice is refused, on pass-through and on the API",
          "[integration][passthrough][budgets]") {
  World w;
  const auto one = issue_key(w.gw, R"({"models":["openai/gpt-4o-mini","gpt"]})");
  const std::string twice_model =
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"model":"gpt-4.1"})";
  const std::string twice_max = R"({"model":"gpt-4o-mini","max_tokens":1,"messages":[],"max_tokens":100000})";
  for (const auto* body : {&twice_model, &twice_max}) {
    const auto reply = http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", *body, bearer(one));
    CHECK(reply.status == 400);
    CHECK_THAT(str(json(reply.body)["error"]["message"]), Catch::Contains("twice"));
  }
  const auto api =
      http_request(w.gw.port(), "POST", "/v1/chat/completions",
                   R"({"model":"gpt","messages":[{"role":"user","content":"hi"}],"model":"gpt-4.1"})", bearer(one));
  CHECK(api.status == 400);
  CHECK(str(json(api.body)["error"]["param"]) == "model");
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);
}

// The caller names the model on pass-through: one without a known price would cost 0, so a
// key could call it forever whatever its budget. Only proxy admins may (they answer to none).
TEST_CASE("pass-through to a model without a known price is for proxy admins only",
          "[integration][passthrough][budgets]") {
  World w;
  const auto key = issue_key(w.gw, R"({"max_budget":1})");
  const std::string unpriced =
      R"({"model":"tollgate-unpriced-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})";
  const auto refused = http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", unpriced, bearer(key));
  CHECK(refused.status == 403);
  CHECK_THAT(str(json(refused.body)["error"]["message"]), Catch::Contains("tollgate-unpriced-model"));
  // Naming no model is the same: the provider would pick one (a stored prompt's) unpriced.
  CHECK(http_request(w.gw.port(), "POST", "/openai/v1/responses", R"({"input":"hi","prompt":{"id":"pmpt_1"}})",
                     bearer(key))
            .status == 403);
  CHECK(http_request(w.gw.port(), "POST", "/gemini/v1beta/models/tollgate-unpriced-model:generateContent",
                     R"({"contents":[{"parts":[{"text":"hi"}]}]})", bearer(key))
            .status == 403);
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);
  CHECK(http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", unpriced, bearer(w.gw.master_key())).status ==
        200);
  // A priced model still passes.
  CHECK(http_request(w.gw.port(), "POST", "/openai/v1/chat/completions", kChat, bearer(key)).status == 200);
}

// cost_of charges reasoning and audio tokens at their own prices: the reservation must use the
// dearest token price, as the model groups' worst case does (proxy::ModelRouter).
TEST_CASE("a pass-through reservation prices output at the dearest token price (reasoning, audio)",
          "[integration][passthrough][budgets]") {
  MockUpstream mock;
  TestDatabase db{"sqlite"};
  register_secret(kOpenAiKey);
  TestGateway gw(
      "model_list:\n"
      "  - model_name: thinker\n"
      "    litellm_params: {model: openai/thinker-1, api_base: \"" +
          mock.base_url() + "\", api_key: " + kOpenAiKey +
          "}\n"
          "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000001, "
          "output_cost_per_reasoning_token: 0.001, max_output_tokens: 100}\n"
          "general_settings:\n" +
          db.gateway_settings(),
      db.gateway_env());
  // 10 reasoning tokens may cost $0.01; at the text output price the worst case was ~$0.0002.
  const auto key = issue_key(gw, R"({"max_budget":0.005})");
  const auto reply =
      http_request(gw.port(), "POST", "/openai/v1/chat/completions",
                   R"({"model":"thinker-1","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})", bearer(key));
  CHECK(reply.status == 429);
  CHECK_THAT(reply.body, Catch::Contains("budget_exceeded"));
  CHECK(mock.stats()["requests"].GetInt64() == 0);
}
