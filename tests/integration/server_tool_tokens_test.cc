// Server tools (Anthropic's web search, web fetch, code execution, MCP connector) add their
// results to the model's context, billed as input tokens on every sampling of the provider's
// loop (core/server_tools.h): over loopback with tollgate-mock answering as Anthropic (each
// search adds kMockSearchResultTokens of results to the input it reports: the whole message's
// input_tokens, a stream's message_delta), reservations cover every sampling up to the model's
// context window, a model without a known window is refused server tools, and a stream is
// charged the input its message_delta reports, not message_start's.
#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include <rapidjson/document.h>

#include "core/token_estimate.h"
#include "tests/integration/web_tools.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

// The upstream model of "cut": tollgate-mock resets the connection after two text events.
constexpr const char* kCutModel = "claude-3-5-sonnet-20241022+chunks-6+reset-mid-stream";

// "windowed" and "cut" declare their context window; "unknown" (another upstream model, so
// that the pass-through's candidates differ too) does not.
std::string config_for(const MockUpstream& mock) {
  const auto params = [&](const char* model) {
    return mock_litellm_params(mock, std::string("anthropic/") + model, "sk-ant-server-tools-unused");
  };
  return "model_list:\n  - model_name: windowed\n" + params("claude-3-5-sonnet-20241022") +
         "    model_info: {max_input_tokens: 100000}\n  - model_name: unknown\n" + params("claude-3-5-haiku-20241022") +
         "  - model_name: cut\n" + params(kCutModel) + "    model_info: {max_input_tokens: 100000}\n";
}

}  // namespace

TEST_CASE("server tools: the reservation covers every sampling, so no spend passes max_budget",
          "[integration][server_tools][budgets]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  // Five searches add 25,000 input tokens ($0.075) and $0.05 of fees: $0.125, past this budget.
  // The prompt's own bound ($0.012) and the fees ($0.05) fit it: that was all the reservation held.
  const auto key = issue_key(gw, R"({"max_budget":0.07})");
  const HeaderList auth{{"x-api-key", key}};
  const auto refused =
      http_request(gw.port(), "POST", "/v1/messages", messages_body("windowed", web_search_tools("5")), auth);
  CHECK(refused.status == 429);  // was 200, and the key spent $0.125 of its $0.07
  CHECK(key_spend(gw, key) <= 0.07);

  // Every kind of server tool, on /v1/messages and on the /anthropic pass-through: 10 samplings of
  // up to 100,000 tokens are past a $1 budget, whatever the tool.
  const auto dollar = issue_key(gw, R"({"max_budget":1.0})");
  const std::string tools[] = {
      web_search_tools("1"),
      R"(,"tools":[{"type":"web_fetch_20250910","name":"web_fetch","max_uses":1}])",
      R"(,"tools":[{"type":"code_execution_20250825","name":"code_execution"}])",
      R"(,"mcp_servers":[{"type":"url","url":"https://mcp.example/sse","name":"example"}])",
  };
  for (const auto& [path, model] : {std::pair<std::string, std::string>{"/v1/messages", "windowed"},
                                    {"/anthropic/v1/messages", "claude-3-5-sonnet-20241022"}}) {
    for (const auto& tool : tools) {
      INFO(path << tool);
      const auto reply = http_request(gw.port(), "POST", path, messages_body(model, tool), {{"x-api-key", dollar}});
      CHECK(reply.status == 429);
      const auto body = parse_json(reply.body);
      CHECK(std::string(body["error"]["type"].GetString()) == "budget_exceeded");
    }
  }
  CHECK(mock.requests() == 0);

  // A client tool (run by the client, one sampling) is not a server tool: admitted.
  const auto client_tool =
      http_request(gw.port(), "POST", "/v1/messages",
                   messages_body("windowed", R"(,"tools":[{"type":"computer_20250124","name":"computer",)"
                                             R"("display_width_px":1024,"display_height_px":768}])"),
                   {{"x-api-key", dollar}});
  CHECK(client_tool.status == 200);
}

TEST_CASE("server tools: the input the searches add is charged, whole and streamed", "[integration][server_tools]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto whole_key = issue_key(gw, R"({"max_budget":5.0})");
  const auto reply = http_request(gw.port(), "POST", "/v1/messages", messages_body("windowed", web_search_tools("5")),
                                  {{"x-api-key", whole_key}});
  REQUIRE(reply.status == 200);
  const auto body = parse_json(reply.body);
  const auto& usage = body["usage"];
  const auto input = usage["input_tokens"].GetInt64();
  CHECK(input >= 5 * 5000);  // far more than the prompt's bytes: the searches' results
  const double cost = claude_tokens_cost(usage) + 5 * kClaudeSearch;
  CHECK(std::stod(reply.header("x-litellm-response-cost")) == Approx(cost).epsilon(1e-9));
  CHECK(key_spend(gw, whole_key) == Approx(cost).epsilon(1e-9));

  // Streamed, on /v1/messages and the pass-through: message_start shows the first sampling's
  // input only, message_delta the total, which is what is charged.
  for (const auto& [path, model] : {std::pair<std::string, std::string>{"/v1/messages", "windowed"},
                                    {"/anthropic/v1/messages", "claude-3-5-sonnet-20241022"}}) {
    INFO(path);
    const auto stream_key = issue_key(gw, R"({"max_budget":5.0})");
    int status = 0;
    const auto events = read_sse(gw.port(), path, messages_body(model, web_search_tools("5"), true),
                                 {{"x-api-key", stream_key}}, &status);
    REQUIRE(status == 200);
    REQUIRE_FALSE(events.empty());
    CHECK(key_spend(gw, stream_key) == Approx(cost).epsilon(1e-9));  // /v1/messages was $0.075 less
  }
}

TEST_CASE("server tools: a stream cut before its totals is charged the samplings its searches evidence",
          "[integration][server_tools][cut_stream]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  // A prompt of about 1,000 tokens (tollgate-mock counts 4 bytes a token), so that each
  // sampling's input shows in the spend.
  const std::string prompt(4000, 'a');
  const auto cut_body = [&](const std::string& model) {
    return R"({"model":")" + model + R"(","max_tokens":16,"stream":true,"messages":[{"role":"user","content":")" +
           prompt + R"("}])" + web_search_tools("3") + "}";
  };
  for (const auto& [path, model] :
       {std::pair<std::string, std::string>{"/v1/messages", "cut"}, {"/anthropic/v1/messages", kCutModel}}) {
    INFO(path);
    const auto key = issue_key(gw, R"({"max_budget":5.0})");
    int status = 0;
    const auto events = read_sse(gw.port(), path, cut_body(model), {{"x-api-key", key}}, &status);
    REQUIRE(status == 200);
    // The stream showed message_start (the first sampling's input) and the three searches, and
    // was cut in the answer's text, before message_delta reported every sampling's input.
    std::int64_t first_sampling = 0;
    int searches = 0;
    bool totals = false;
    for (const auto& event : events) {
      if (event.data.find("\"server_tool_use\"") != std::string::npos) ++searches;
      if (event.data.find("message_delta") != std::string::npos) totals = true;
      const auto at = event.data.find("\"input_tokens\":");
      if (first_sampling == 0 && at != std::string::npos) {
        first_sampling = std::stoll(event.data.substr(at + std::string("\"input_tokens\":").size()));
      }
    }
    REQUIRE(searches == 3);
    REQUIRE_FALSE(totals);
    REQUIRE(first_sampling >= 1000);
    // Three searches evidence four samplings, each reading at least the first's input; each search
    // shown is billed. message_start reports no output: the text relayed is charged as estimated
    // (cut_stream_output_test.cc).
    std::int64_t relayed = 0;
    for (const auto& event : events) {
      const auto d = sse_data_json(event);
      if (d.IsObject() && d.HasMember("delta") && d["delta"].IsObject() && d["delta"].HasMember("text")) {
        relayed += tollgate::core::estimate_tokens(d["delta"]["text"].GetString());
      }
    }
    REQUIRE(relayed > 0);
    const double cost = 4 * static_cast<double>(first_sampling) * kClaudeInput + 3 * kClaudeSearch +
                        static_cast<double>(relayed) * kClaudeOutput;
    CHECK(key_spend(gw, key) == Approx(cost).epsilon(1e-9));  // was the first sampling's input only
  }
}

TEST_CASE("server tools on a model without a known context window are refused before any call",
          "[integration][server_tools]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const HeaderList master{{"x-api-key", gw.master_key()}};
  struct Case {
    std::string extra;
    std::string param;
  };
  const Case cases[] = {
      {R"(,"tools":[{"name":"f","input_schema":{}},{"type":"web_search_20250305","name":"web_search","max_uses":1}])",
       "tools[1]"},
      {R"(,"tools":[{"type":"web_fetch_20250910","name":"web_fetch","max_uses":1}])", "tools[0]"},
      {R"(,"mcp_servers":[{"type":"url","url":"https://mcp.example/sse","name":"example"}])", "mcp_servers"},
  };
  for (const auto& [path, model] : {std::pair<std::string, std::string>{"/v1/messages", "unknown"},
                                    {"/anthropic/v1/messages", "claude-3-5-haiku-20241022"}}) {
    for (const auto& c : cases) {
      INFO(path << c.extra);
      const auto reply = http_request(gw.port(), "POST", path, messages_body(model, c.extra), master);
      CHECK(reply.status == 400);  // was 200: nothing bounded the tokens the tool adds
      const auto body = parse_json(reply.body);
      CHECK(std::string(body["error"]["param"].GetString()) == c.param);
      CHECK_THAT(std::string(body["error"]["message"].GetString()), Catch::Contains("model_info.max_input_tokens"));
    }
  }
  CHECK(mock.requests() == 0);
  // Without server tools the same model is served.
  CHECK(http_request(gw.port(), "POST", "/v1/messages", messages_body("unknown", ""), master).status == 200);
}
