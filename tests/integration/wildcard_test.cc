// Wildcard deployments (model_name "openai/*", litellm_params.model "openai/*") through the
// real gateway and tollgate-mock: any openai/<m> is routed with the deployment's credentials
// and sent as <m>, priced and reserved as <m>, model access judged on the concrete name, and
// /v1/models lists the configured pattern.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include <set>

#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const std::string kProviderKey = "sk-wildcard-provider-" + std::to_string(::getpid());

std::string config_for(const MockUpstream& mock, const TestDatabase& db, const std::string& pattern) {
  register_secret(kProviderKey);
  return "model_list:\n"
         "  - model_name: \"" +
         pattern + "\"\n    litellm_params: {model: \"openai/*\", api_base: \"" + mock.base_url() +
         "\", api_key: " + kProviderKey +
         "}\n"
         "  - model_name: openai/exact-model\n"  // an exact group wins over the pattern
         "    litellm_params: {model: openai/exact-upstream, api_base: \"" +
         mock.base_url() + "\", api_key: " + kProviderKey + "}\ngeneral_settings:\n" + db.gateway_settings();
}

std::string chat(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string sent_model(const MockUpstream& mock) {
  const auto last = mock.last();
  return json(last["body"].GetString())["model"].GetString();
}

}  // namespace

TEST_CASE("a provider wildcard routes any model of that provider with the deployment's credentials",
          "[integration][wildcard]") {
  MockUpstream mock;
  TestDatabase db("sqlite");
  TestGateway gw(config_for(mock, db, "openai/*"), db.gateway_env());

  const auto reply =
      http_request(gw.port(), "POST", "/v1/chat/completions", chat("openai/gpt-4o-mini"), bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  CHECK(sent_model(mock) == "gpt-4o-mini");
  CHECK(std::string(mock.last()["headers"]["authorization"].GetString()) == "Bearer " + kProviderKey);
  CHECK(reply.header("x-litellm-model-group") == "openai/*");
  // Priced as gpt-4o-mini (the built-in table), not as the unknown model "*".
  CHECK(std::stod(reply.header("x-litellm-response-cost")) > 0);

  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("openai/exact-model"), bearer(gw.master_key()))
            .status == 200);
  CHECK(sent_model(mock) == "exact-upstream");

  // A bare name is not "openai/<m>": only a "*" model_name routes bare names.
  const auto bare =
      http_request(gw.port(), "POST", "/v1/chat/completions", chat("gpt-4o-mini"), bearer(gw.master_key()));
  CHECK(bare.status == 404);
  CHECK_THAT(bare.body, Catch::Contains("model_not_found"));

  // /v1/models shows what is configured: the pattern, not every model it could match.
  const auto listed = json(http_request(gw.port(), "GET", "/v1/models", "", bearer(gw.master_key())).body);
  std::set<std::string> ids;
  for (const auto& m : listed["data"].GetArray()) ids.insert(m["id"].GetString());
  CHECK(ids == std::set<std::string>{"openai/*", "openai/exact-model"});
}

TEST_CASE("model access applies to the concrete name reached through a wildcard", "[integration][wildcard]") {
  MockUpstream mock;
  TestDatabase db("sqlite");
  TestGateway gw(config_for(mock, db, "openai/*"), db.gateway_env());
  const auto one = issue_key(gw, R"({"models":["openai/gpt-4o-mini"]})");
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("openai/gpt-4o-mini"), bearer(one)).status == 200);
  const auto other = http_request(gw.port(), "POST", "/v1/chat/completions", chat("openai/gpt-4.1"), bearer(one));
  CHECK(other.status == 403);
  CHECK(mock.requests_for_model("gpt-4.1") == 0);

  const auto all = issue_key(gw, R"({"models":["openai/*"]})");
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("openai/gpt-4.1"), bearer(all)).status == 200);
  CHECK(sent_model(mock) == "gpt-4.1");
}

TEST_CASE("a wildcard call reserves the concrete model's worst case", "[integration][wildcard][budgets]") {
  MockUpstream mock;
  TestDatabase db("sqlite");
  TestGateway gw(config_for(mock, db, "openai/*"), db.gateway_env());
  // gpt-4o may answer 16,384 tokens at $10/M: far above a budget of $0.0001, so the request is
  // refused before it reaches the upstream. Priced as the unknown model "*", it would be free.
  const auto key = issue_key(gw, R"({"max_budget":0.0001})");
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("openai/gpt-4o"), bearer(key));
  CHECK(reply.status == 429);
  CHECK_THAT(reply.body, Catch::Contains("budget_exceeded"));
  CHECK(mock.requests_for_model("gpt-4o") == 0);
}

TEST_CASE("a \"*\" model name routes bare model names, like LiteLLM", "[integration][wildcard]") {
  MockUpstream mock;
  TestDatabase db("sqlite");
  TestGateway gw(config_for(mock, db, "*"), db.gateway_env());
  const auto reply =
      http_request(gw.port(), "POST", "/v1/chat/completions", chat("gpt-4o-mini"), bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  CHECK(sent_model(mock) == "gpt-4o-mini");
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("openai/exact-model"), bearer(gw.master_key()))
            .status == 200);
  CHECK(sent_model(mock) == "exact-upstream");
}
