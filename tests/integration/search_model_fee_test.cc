// OpenAI's search models on /v1/chat/completions (gpt-4o-search-preview,
// gpt-4o-mini-search-preview) search the web before every answer and are billed per call, by
// search_context_size, though their usage reports no search: over loopback with tollgate-mock
// answering as OpenAI, each call is charged its search at the dearest size (core/cost_map.cc),
// whole, streamed and through the /openai pass-through, and the reservation holds it.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

// gpt-4o-search-preview: $2.50 / $10 per million tokens, $50 per 1,000 calls at high context.
constexpr double kInput = 2.5e-6;
constexpr double kOutput = 10e-6;
constexpr double kSearchCall = 0.05;

std::string config_for(const MockUpstream& mock) {
  const std::string params = "    litellm_params: {model: openai/gpt-4o-search-preview, api_base: \"" +
                             mock.base_url() + "\", api_key: sk-openai-search-unused}\n";
  return "model_list:\n  - model_name: search\n" + params + "  - model_name: search-dear\n" + params +
         "    model_info: {search_context_cost_per_query: {search_context_size_low: 0.03, "
         "search_context_size_medium: 0.035, search_context_size_high: 0.08}}\n";
}

std::string chat_body(const std::string& model, bool stream = false) {
  return R"({"model":")" + model + R"(","max_tokens":16,"messages":[{"role":"user","content":"what is new today"}],)" +
         R"("web_search_options":{"search_context_size":"low"})" + (stream ? R"(,"stream":true)" : "") + "}";
}

double tokens_cost(const std::string& reply_body) {
  const auto d = parse_json(reply_body);
  const auto& usage = d["usage"];
  return static_cast<double>(usage["prompt_tokens"].GetInt64()) * kInput +
         static_cast<double>(usage["completion_tokens"].GetInt64()) * kOutput;
}

}  // namespace

TEST_CASE("a search model's call is charged its search, whole, streamed and passed through",
          "[integration][web_search][search_model]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto key = issue_key(gw);
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat_body("search"), bearer(key));
  REQUIRE(reply.status == 200);
  const double cost = tokens_cost(reply.body) + kSearchCall;
  CHECK(std::stod(reply.header("x-litellm-response-cost")) == Approx(cost).epsilon(1e-9));  // was tokens only
  CHECK(key_spend(gw, key) == Approx(cost).epsilon(1e-9));

  const auto stream_key = issue_key(gw);
  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/chat/completions", chat_body("search", true), bearer(stream_key), &status);
  REQUIRE(status == 200);
  REQUIRE_FALSE(events.empty());
  CHECK(key_spend(gw, stream_key) == Approx(cost).epsilon(1e-9));

  const auto passthrough_key = issue_key(gw);
  const auto passed = http_request(gw.port(), "POST", "/openai/v1/chat/completions", chat_body("gpt-4o-search-preview"),
                                   bearer(passthrough_key));
  REQUIRE(passed.status == 200);
  CHECK(key_spend(gw, passthrough_key) == Approx(tokens_cost(passed.body) + kSearchCall).epsilon(1e-9));

  // model_info's price by search context size: the dearest counts.
  const auto dear =
      http_request(gw.port(), "POST", "/v1/chat/completions", chat_body("search-dear"), bearer(gw.master_key()));
  REQUIRE(dear.status == 200);
  CHECK(std::stod(dear.header("x-litellm-response-cost")) == Approx(tokens_cost(dear.body) + 0.08).epsilon(1e-9));
}

TEST_CASE("a search model's call reserves its search", "[integration][web_search][search_model][budgets]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  // The tokens' worst case is under $0.001; the search is $0.05.
  const auto key = issue_key(gw, R"({"max_budget":0.01})");
  for (const auto& path : {std::string("/v1/chat/completions"), std::string("/openai/v1/chat/completions")}) {
    INFO(path);
    const auto reply =
        http_request(gw.port(), "POST", path,
                     chat_body(path == "/v1/chat/completions" ? "search" : "gpt-4o-search-preview"), bearer(key));
    CHECK(reply.status == 429);  // was 200: the search was neither reserved nor charged
  }
  CHECK(mock.requests() == 0);
  CHECK(key_spend(gw, key) == 0);
}
