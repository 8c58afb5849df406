// POST /v1/messages/count_tokens over loopback: authenticated, the model's access checked; an
// Anthropic deployment's own count (tollgate-mock answering as Anthropic with its tokenizer),
// the gateway's estimate for other providers or when the provider cannot answer.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

constexpr const char* kDeploymentKey = "sk-ant-deployment-count";

std::string config_for(const MockUpstream& mock) {
  const std::string base = "\"http://127.0.0.1:" + std::to_string(mock.port()) + "\"";
  std::string yaml = "model_list:\n";
  for (const char* group : {"claude", "other"}) {
    yaml += std::string("  - model_name: ") + group +
            "\n    litellm_params: {model: anthropic/claude-3-haiku+tokenizer, " + "api_base: " + base +
            ", api_key: " + kDeploymentKey + "}\n";
  }
  yaml += "  - model_name: gpt\n    litellm_params: {model: openai/gpt-4o-mini, api_base: " + base +
          ", api_key: sk-openai-unused}\n";
  yaml += "  - model_name: broken-claude\n    litellm_params: {model: anthropic/status-500, api_base: " + base +
          ", api_key: sk-ant-unused}\n";
  return yaml;
}

std::string count_body(const std::string& model, const std::string& text) {
  return R"({"model":")" + model + R"(","system":"be brief","messages":[{"role":"user","content":")" + text + R"("}]})";
}

std::int64_t input_tokens(const HttpReply& reply) {
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  REQUIRE(d.IsObject());
  REQUIRE(d.HasMember("input_tokens"));
  return d["input_tokens"].GetInt64();
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : std::string(); }

}  // namespace

TEST_CASE("count_tokens answers an Anthropic deployment's own count", "[integration][count_tokens]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto auth = HeaderList{{"x-api-key", gw.master_key()}};
  const std::string text = "hi" + std::string(40, 'a') + chinese_text(5);
  const auto reply = http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("claude", text), auth);
  REQUIRE(reply.status == 200);
  CHECK(reply.header("x-tollgate-token-count") == "provider");

  // The request reached the provider's counting endpoint, model renamed, with the deployment's
  // credential (never the caller's).
  const auto sent = mock.last();
  CHECK(str(sent["path"]) == "/v1/messages/count_tokens");
  CHECK(str(sent["headers"]["x-api-key"]) == kDeploymentKey);
  CHECK(!str(sent["headers"]["anthropic-version"]).empty());
  rapidjson::Document sent_body;
  sent_body.Parse(str(sent["body"]).c_str());
  CHECK(str(sent_body["model"]) == "claude-3-haiku+tokenizer");

  // The oracle: the provider's answer to the same request asked directly.
  const auto direct =
      http_request(mock.port(), "POST", "/v1/messages/count_tokens", count_body("claude-3-haiku+tokenizer", text), {});
  REQUIRE(direct.status == 200);
  CHECK(input_tokens(reply) == input_tokens(direct));

  // The gateway's estimate differs for this text (40 ASCII bytes are about 10 estimated tokens;
  // the tokenizer reads the run of 'a' differently), so the answer is not the estimate.
  const auto estimated = http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("gpt", text), auth);
  REQUIRE(estimated.status == 200);
  CHECK(estimated.header("x-tollgate-token-count") == "estimate");
  CHECK(input_tokens(estimated) != input_tokens(reply));
}

TEST_CASE("count_tokens estimates in the gateway for other providers", "[integration][count_tokens]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto auth = HeaderList{{"x-api-key", gw.master_key()}};
  const auto short_reply = http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("gpt", "hi"), auth);
  REQUIRE(short_reply.status == 200);
  CHECK(short_reply.header("x-tollgate-token-count") == "estimate");
  // 40 ASCII bytes more are about 10 tokens more; 5 Chinese characters about 5 more.
  const auto longer = http_request(gw.port(), "POST", "/v1/messages/count_tokens",
                                   count_body("gpt", "hi" + std::string(40, 'a')), auth);
  const auto chinese =
      http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("gpt", "hi你好，世界"), auth);
  CHECK(input_tokens(short_reply) > 0);
  CHECK(input_tokens(longer) == input_tokens(short_reply) + 10);
  CHECK(input_tokens(chinese) == input_tokens(short_reply) + 5);
  CHECK(mock.stats()["requests"].GetInt64() == 0);
}

TEST_CASE("count_tokens falls back to the estimate when the provider fails", "[integration][count_tokens]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto auth = HeaderList{{"x-api-key", gw.master_key()}};
  const auto reply =
      http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("broken-claude", "hi"), auth);
  REQUIRE(reply.status == 200);
  CHECK(reply.header("x-tollgate-token-count") == "estimate");
  CHECK(input_tokens(reply) > 0);
  CHECK(mock.stats()["requests"].GetInt64() == 1);
}

TEST_CASE("count_tokens needs a key, a model the key may use and messages", "[integration][count_tokens]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto created =
      http_request(gw.port(), "POST", "/key/generate", R"({"models":["claude"]})", bearer(gw.master_key()));
  REQUIRE(created.status == 200);
  rapidjson::Document d;
  d.Parse(created.body.c_str());
  const std::string key = d["key"].GetString();
  register_secret(key);
  auto status_of = [&](const std::string& body, const HeaderList& headers) {
    return http_request(gw.port(), "POST", "/v1/messages/count_tokens", body, headers).status;
  };
  CHECK(status_of(count_body("claude", "hi"), {{"x-api-key", key}}) == 200);
  CHECK(status_of(count_body("claude", "hi"), {}) == 401);
  CHECK(status_of(count_body("other", "hi"), {{"x-api-key", key}}) == 403);
  CHECK(status_of(count_body("missing", "hi"), {{"x-api-key", key}}) == 404);
  CHECK(status_of(R"({"model":"claude"})", {{"x-api-key", key}}) == 400);
  CHECK(status_of(R"({"messages":[]})", {{"x-api-key", key}}) == 400);
  // Refused requests never reach the provider.
  CHECK(mock.stats()["requests"].GetInt64() == 1);
}

TEST_CASE("count_tokens counts against the key's rpm_limit and spends nothing", "[integration][count_tokens]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw, R"({"models":["claude"],"rpm_limit":3})");
  const HeaderList auth{{"x-api-key", key}};
  for (int i = 0; i < 3; ++i) {
    const auto reply = http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("claude", "hi"), auth);
    REQUIRE(reply.status == 200);
    CHECK(reply.header("x-tollgate-token-count") == "provider");
    CHECK(reply.header("x-ratelimit-remaining-requests") == std::to_string(2 - i));
  }
  // The fourth in the minute is refused before Anthropic is asked with the gateway's credential
  // (was 200, and a call to Anthropic, however many were made).
  const auto limited = http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("claude", "hi"), auth);
  CHECK(limited.status == 429);
  rapidjson::Document error;
  error.Parse(limited.body.c_str());
  REQUIRE(error.IsObject());
  CHECK(str(error["error"]["type"]) == "rate_limit_error");
  CHECK(mock.stats()["requests"].GetInt64() == 3);
  // The same minute's allowance as the key's messages.
  const auto message =
      http_request(gw.port(), "POST", "/v1/messages",
                   R"({"model":"claude","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})", auth);
  CHECK(message.status == 429);
  // Nothing spent: no spend, no spend log row.
  const auto info = http_request(gw.port(), "GET", "/key/info?key=" + key, "", bearer(gw.master_key()));
  rapidjson::Document d;
  d.Parse(info.body.c_str());
  REQUIRE(d.IsObject());
  CHECK(d["info"]["spend"].GetDouble() == 0);
}
