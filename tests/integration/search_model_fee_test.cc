// OpenAI's search models on /v1/chat/completions (gpt-4o-search-preview,
// gpt-4o-mini-search-preview) search the web before every answer and are billed per call, by
// web_search_options.search_context_size (medium when absent), though their usage reports no
// search: over loopback with tollgate-mock answering as OpenAI, each call is charged its
// search at the size it asked for (core/cost_map.cc), whole, streamed and through the /openai
// pass-through, the reservation holds that size's fee, and a size OpenAI refuses is a 400.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include <rapidjson/document.h>

#include "tests/integration/web_tools.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

// gpt-4o-search-preview: $2.50 / $10 per million tokens; $30 / $35 / $50 per 1,000 calls at
// low / medium / high context.

struct Size {
  const char* name;  // "" → no web_search_options: OpenAI's default, medium
  double fee;        // the built-in fee
  double dear_fee;   // model_info's on "search-dear"
};
constexpr Size kSizes[] = {
    {"low", 0.030, 0.03},
    {"medium", 0.035, 0.035},
    {"high", 0.050, 0.08},
    {"", 0.035, 0.035},
};

std::string config_for(const MockUpstream& mock) {
  const auto params = mock_litellm_params(mock, "openai/gpt-4o-search-preview", "sk-openai-search-unused");
  return "model_list:\n  - model_name: search\n" + params + "  - model_name: search-dear\n" + params +
         "    model_info: {search_context_cost_per_query: {search_context_size_low: 0.03, "
         "search_context_size_medium: 0.035, search_context_size_high: 0.08}}\n";
}

std::string chat_body(const std::string& model, const std::string& size, bool stream = false) {
  const std::string options = size.empty() ? "" : R"(,"web_search_options":{"search_context_size":")" + size + R"("})";
  return R"({"model":")" + model + R"(","max_tokens":16,"messages":[{"role":"user","content":"what is new today"}])" +
         options + (stream ? R"(,"stream":true)" : "") + "}";
}

double tokens_cost(const std::string& reply_body) {
  const auto d = parse_json(reply_body);
  const auto& usage = d["usage"];
  return static_cast<double>(usage["prompt_tokens"].GetInt64()) * kSearchModelInput +
         static_cast<double>(usage["completion_tokens"].GetInt64()) * kSearchModelOutput;
}

}  // namespace

TEST_CASE("a search model's call is charged the context size it asked for, whole, streamed, passed through",
          "[integration][web_search][search_model]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  for (const auto& size : kSizes) {
    INFO("search_context_size '" << size.name << "'");
    const auto key = issue_key(gw);
    const auto reply =
        http_request(gw.port(), "POST", "/v1/chat/completions", chat_body("search", size.name), bearer(key));
    REQUIRE(reply.status == 200);
    const double cost = tokens_cost(reply.body) + size.fee;  // was + $0.05, the dearest, whatever the size
    CHECK(std::stod(reply.header("x-litellm-response-cost")) == Approx(cost).epsilon(1e-9));
    CHECK(key_spend(gw, key) == Approx(cost).epsilon(1e-9));

    const auto stream_key = issue_key(gw);
    int status = 0;
    const auto events =
        read_sse(gw.port(), "/v1/chat/completions", chat_body("search", size.name, true), bearer(stream_key), &status);
    REQUIRE(status == 200);
    REQUIRE_FALSE(events.empty());
    CHECK(key_spend(gw, stream_key) == Approx(cost).epsilon(1e-9));

    const auto passthrough_key = issue_key(gw);
    const auto passed = http_request(gw.port(), "POST", "/openai/v1/chat/completions",
                                     chat_body("gpt-4o-search-preview", size.name), bearer(passthrough_key));
    REQUIRE(passed.status == 200);
    CHECK(key_spend(gw, passthrough_key) == Approx(tokens_cost(passed.body) + size.fee).epsilon(1e-9));

    // model_info's price by search context size: the size asked for counts.
    const auto dear = http_request(gw.port(), "POST", "/v1/chat/completions", chat_body("search-dear", size.name),
                                   bearer(gw.master_key()));
    REQUIRE(dear.status == 200);
    CHECK(std::stod(dear.header("x-litellm-response-cost")) ==
          Approx(tokens_cost(dear.body) + size.dear_fee).epsilon(1e-9));
  }
}

TEST_CASE("a search model's call reserves its search at the context size asked for",
          "[integration][web_search][search_model][budgets]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  // The tokens' worst case is under $0.001; the search is $0.03, $0.035 or $0.05 by size.
  for (const std::string path : {"/v1/chat/completions", "/openai/v1/chat/completions"}) {
    const std::string model = path == "/v1/chat/completions" ? "search" : "gpt-4o-search-preview";
    for (const auto& [size, admitted] : {std::pair<std::string, bool>{"low", true}, {"", true}, {"high", false}}) {
      INFO(path << " search_context_size '" << size << "'");
      const auto key = issue_key(gw, R"({"max_budget":0.04})");
      const auto before = mock.requests();
      const auto reply = http_request(gw.port(), "POST", path, chat_body(model, size), bearer(key));
      CHECK(reply.status == (admitted ? 200 : 429));  // low and medium were 429: the dearest size was reserved
      CHECK(mock.requests() == before + (admitted ? 1 : 0));
    }
  }
  const auto before = mock.requests();
  const auto poor = issue_key(gw, R"({"max_budget":0.01})");  // no size's search fits
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat_body("search", "low"), bearer(poor)).status ==
        429);
  CHECK(mock.requests() == before);
}

TEST_CASE("a search context size OpenAI refuses is a 400 before any call", "[integration][web_search][search_model]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  struct Case {
    std::string options;
    std::string param;
  };
  const Case cases[] = {
      {R"({"search_context_size":"huge"})", "web_search_options.search_context_size"},
      {R"({"search_context_size":"HIGH"})", "web_search_options.search_context_size"},
      {R"({"search_context_size":3})", "web_search_options.search_context_size"},
      {R"("high")", "web_search_options"},
  };
  for (const std::string path : {"/v1/chat/completions", "/openai/v1/chat/completions"}) {
    const std::string model = path == "/v1/chat/completions" ? "search" : "gpt-4o-search-preview";
    for (const auto& c : cases) {
      INFO(path << " " << c.options);
      const auto reply =
          http_request(gw.port(), "POST", path,
                       R"({"model":")" + model +
                           R"(","messages":[{"role":"user","content":"hi"}],"web_search_options":)" + c.options + "}",
                       bearer(gw.master_key()));
      CHECK(reply.status == 400);
      const auto body = parse_json(reply.body);
      CHECK(std::string(body["error"]["type"].GetString()) == "invalid_request_error");
      CHECK(std::string(body["error"]["param"].GetString()) == c.param);
    }
  }
  CHECK(mock.requests() == 0);
}
