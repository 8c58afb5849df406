// POST /v1/messages/count_tokens over loopback: authenticated, the model's access checked, the
// prompt's typical tokens estimated in the gateway without any upstream call.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

std::string config_for(const MockUpstream& mock) {
  std::string yaml = "model_list:\n";
  for (const char* group : {"claude", "other"}) {
    yaml += std::string("  - model_name: ") + group +
            "\n    litellm_params: {model: anthropic/claude-3-haiku, api_base: \"http://127.0.0.1:" +
            std::to_string(mock.port()) + "\", api_key: sk-ant-unused}\n";
  }
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

}  // namespace

TEST_CASE("count_tokens estimates the prompt's tokens in the gateway", "[integration][count_tokens]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto auth = HeaderList{{"x-api-key", gw.master_key()}};
  const auto short_reply =
      http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("claude", "hi"), auth);
  REQUIRE(short_reply.status == 200);
  // 40 ASCII bytes more are about 10 tokens more; 5 Chinese characters about 5 more.
  const auto longer = http_request(gw.port(), "POST", "/v1/messages/count_tokens",
                                   count_body("claude", "hi" + std::string(40, 'a')), auth);
  const auto chinese =
      http_request(gw.port(), "POST", "/v1/messages/count_tokens", count_body("claude", "hi你好，世界"), auth);
  CHECK(input_tokens(short_reply) > 0);
  CHECK(input_tokens(longer) == input_tokens(short_reply) + 10);
  CHECK(input_tokens(chinese) == input_tokens(short_reply) + 5);
  CHECK(mock.stats()["requests"].GetInt64() == 0);
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
}
