// Anthropic's web search, billed per search ($10 per 1,000) on top of tokens, over loopback
// with tollgate-mock answering as Anthropic (it runs every search a web search tool's max_uses
// allows and reports them in usage.server_tool_use, whole and in the stream's message_delta):
// /v1/messages and /anthropic pass-through charge each search, reservations hold max_uses
// searches, and a web search tool without max_uses is refused before any upstream call.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <rapidjson/document.h>

#include "tests/integration/web_tools.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

std::string config_for(const MockUpstream& mock) {
  const auto params = mock_litellm_params(mock, "anthropic/claude-3-5-sonnet-20241022", "sk-ant-web-search-unused");
  // A known context window: server tools are refused without one (server_tool_tokens_test.cc).
  // LiteLLM's per-search price by search context size: a search costs at most the highest.
  return "model_list:\n  - model_name: claude\n" + params + "    model_info: {max_input_tokens: 20000}\n" +
         "  - model_name: claude-dear\n" + params +
         "    model_info: {max_input_tokens: 20000, search_context_cost_per_query: {search_context_size_low: 0.01, "
         "search_context_size_medium: 0.02, search_context_size_high: 0.03}}\n";
}

}  // namespace

TEST_CASE("/v1/messages and /anthropic pass-through charge each web search Anthropic reports",
          "[integration][web_search]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));

  const auto whole_key = issue_key(gw);
  const auto reply = http_request(gw.port(), "POST", "/v1/messages", messages_body("claude", web_search_tools("3")),
                                  {{"x-api-key", whole_key}});
  REQUIRE(reply.status == 200);
  const auto body = parse_json(reply.body);
  const auto& usage = body["usage"];
  REQUIRE(usage["server_tool_use"]["web_search_requests"].GetInt64() == 3);
  const double tokens_cost = claude_tokens_cost(usage);
  const double cost = std::stod(reply.header("x-litellm-response-cost"));
  CHECK(cost == Approx(tokens_cost + 3 * kClaudeSearch).epsilon(1e-9));  // was tokens_cost: searches free
  CHECK(key_spend(gw, whole_key) == Approx(cost).epsilon(1e-9));

  // The same answer streamed: the searches come in message_delta's usage.
  const auto stream_key = issue_key(gw);
  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/messages", messages_body("claude", web_search_tools("3"), true),
                               {{"x-api-key", stream_key}}, &status);
  REQUIRE(status == 200);
  REQUIRE_FALSE(events.empty());
  CHECK(key_spend(gw, stream_key) == Approx(cost).epsilon(1e-9));

  // Anthropic's own route through the pass-through, whole and streamed.
  for (const bool stream : {false, true}) {
    INFO("pass-through, stream " << stream);
    const auto passthrough_key = issue_key(gw);
    const auto passed = http_request(gw.port(), "POST", "/anthropic/v1/messages",
                                     messages_body("claude-3-5-sonnet-20241022", web_search_tools("3"), stream),
                                     {{"x-api-key", passthrough_key}});
    REQUIRE(passed.status == 200);
    CHECK(key_spend(gw, passthrough_key) == Approx(cost).epsilon(1e-9));
  }
}

TEST_CASE("a web search tool's max_uses is reserved, one without max_uses is refused",
          "[integration][web_search][budgets]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  // Room for the tokens' worst case and one search, not three: ten samplings of the server tool
  // loop (core/server_tools.h), the first's prompt bound (~3,200 tokens with a built-in tool)
  // and nine 20,000-token windows at the cache-write price ($3.75 per million) ≈ $0.687, and
  // 10 × 16 output tokens = $0.0024.
  const auto key = issue_key(gw, R"({"max_budget":0.71})");
  const HeaderList auth{{"x-api-key", key}};

  const auto three =
      http_request(gw.port(), "POST", "/v1/messages", messages_body("claude", web_search_tools("3")), auth);
  CHECK(three.status == 429);  // was 200: the searches were not reserved
  CHECK(parse_json(three.body)["error"]["type"] == "budget_exceeded");
  CHECK(mock.requests() == 0);
  const auto one =
      http_request(gw.port(), "POST", "/v1/messages", messages_body("claude", web_search_tools("1")), auth);
  CHECK(one.status == 200);
  CHECK(mock.requests() == 1);

  // Without max_uses nothing bounds the searches: refused, on /v1/messages and the pass-through.
  const auto master = HeaderList{{"x-api-key", gw.master_key()}};
  for (const auto& [path, model] : {std::pair<std::string, std::string>{"/v1/messages", "claude"},
                                    {"/anthropic/v1/messages", "claude-3-5-sonnet-20241022"}}) {
    for (const auto& max_uses : {std::string(), std::string("0"), std::string("\"5\"")}) {
      INFO(path << " max_uses " << max_uses);
      const auto refused = http_request(
          gw.port(), "POST", path,
          R"({"model":")" + model + R"(","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"tools":[)" +
              R"({"name":"f","input_schema":{}},)" + web_search_tool(max_uses) + "]}",
          master);
      CHECK(refused.status == 400);
      const auto body = parse_json(refused.body);  // kept: the error below points into it
      CHECK(std::string(body["error"]["param"].GetString()) == "tools[1].max_uses");
    }
  }
  CHECK(mock.requests() == 1);
}

TEST_CASE("model_info.search_context_cost_per_query prices each search", "[integration][web_search]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto reply =
      http_request(gw.port(), "POST", "/v1/messages", messages_body("claude-dear", web_search_tools("2")),
                   {{"x-api-key", gw.master_key()}});
  REQUIRE(reply.status == 200);
  const auto body = parse_json(reply.body);
  const auto& usage = body["usage"];
  const double tokens_cost = claude_tokens_cost(usage);
  CHECK(std::stod(reply.header("x-litellm-response-cost")) == Approx(tokens_cost + 2 * 0.03).epsilon(1e-9));
}
