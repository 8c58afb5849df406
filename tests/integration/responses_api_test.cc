// POST /v1/responses through the gateway against tollgate-mock's Responses API over loopback:
// passed through to OpenAI and Azure deployments with keys, model access and budgets enforced,
// usage charged whole and streamed (interrupted streams included), and what the gateway cannot
// bound or charge refused with a 400 before any upstream call.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <chrono>
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

constexpr double kInputPrice = 0.000001;
constexpr double kOutputPrice = 0.000002;

std::string config_for(const TestDatabase& db, const MockUpstream& mock) {
  const std::string base = mock.base_url();
  const std::string price =
      "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, max_output_tokens: 200}\n";
  return "model_list:\n"
         "  - model_name: gpt\n"
         "    litellm_params: {model: openai/gpt-upstream, api_base: \"" +
         base + "\", api_key: sk-upstream-responses}\n" + price +
         "  - model_name: streamy\n"
         "    litellm_params: {model: \"openai/streamy+chunks-5\", api_base: \"" +
         base + "\"}\n" + price +
         "  - model_name: broken\n"
         "    litellm_params: {model: \"openai/broken+reset-mid-stream+chunks-6\", api_base: \"" +
         base + "\"}\n" + price +
         "  - model_name: azure-gpt\n"
         "    litellm_params: {model: azure/my-deployment, api_base: \"http://127.0.0.1:" +
         std::to_string(mock.port()) + "\", api_key: azure-secret-key, api_version: \"2025-03-01-preview\"}\n" + price +
         "  - model_name: claude-broken\n"
         "    litellm_params: {model: \"anthropic/broken+reset-mid-stream+chunks-6\", api_base: \"http://127.0.0.1:" +
         std::to_string(mock.port()) + "\", api_key: sk-ant-unused}\n" + price +
         "  - model_name: claude\n"
         "    litellm_params: {model: anthropic/claude-3-haiku, api_base: \"http://127.0.0.1:" +
         std::to_string(mock.port()) + "\", api_key: sk-ant-unused}\n" + price + "general_settings:\n" +
         db.gateway_settings();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string generate_key(const TestGateway& gw, const std::string& body) {
  const auto reply = http_request(gw.port(), "POST", "/key/generate", body, bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto key = str(json(reply.body)["key"]);
  register_secret(key);
  return key;
}

std::string request(const std::string& model, const std::string& extra = "") {
  return R"({"model":")" + model + R"(","instructions":"be brief","input":"hello responses")" + extra + "}";
}

// A completed response with tollgate-mock's text and usage; returns the cost the gateway
// must have charged for it (and named in x-litellm-response-cost).
double check_completed_response(const HttpReply& reply) {
  REQUIRE(reply.status == 200);
  const auto body = json(reply.body);
  CHECK(str(body["object"]) == "response");
  CHECK(str(body["status"]) == "completed");
  CHECK_THAT(str(body["id"]), Catch::StartsWith("resp_"));
  CHECK_THAT(str(body["output"][0]["content"][0]["text"]), Catch::Contains("tollgate-mock"));
  const auto input = body["usage"]["input_tokens"].GetInt64();
  const auto output = body["usage"]["output_tokens"].GetInt64();
  CHECK(input > 0);
  CHECK(output > 0);
  const double cost = input * kInputPrice + output * kOutputPrice;
  CHECK(std::stod(reply.header("x-litellm-response-cost")) == Approx(cost).epsilon(1e-9));
  return cost;
}

// The key's spend once the spend writer has flushed it (every second).
double key_spend(const TestDatabase& db, const std::string& key, double at_least) {
  auto store = db.migrated_store();
  double spend = 0;
  for (int i = 0; i < 100 && spend < at_least; ++i) {
    std::this_thread::sleep_for(50ms);
    spend = store->find_key(core::hash_key(key))->spend;
  }
  return spend;
}

std::vector<persistence::SpendLogRow> spend_rows(const TestDatabase& db, const std::string& key, std::size_t expect) {
  auto store = db.migrated_store();
  persistence::SpendLogFilter filter;
  filter.api_key = core::hash_key(key);
  std::vector<persistence::SpendLogRow> rows;
  for (int i = 0; i < 100 && rows.size() < expect; ++i) {
    rows = store->spend_logs(filter, 100);
    if (rows.size() < expect) std::this_thread::sleep_for(50ms);
  }
  return rows;
}

// The `event:` name of a read_sse block ("event: x\ndata: {...}").
std::string event_name(const std::string& block) {
  if (block.rfind("event: ", 0) != 0) return {};
  return block.substr(7, block.find('\n') - 7);
}

// A gateway on SQLite in front of tollgate-mock, and a key with a $10 budget.
struct World {
  TestDatabase db{"sqlite"};
  MockUpstream mock;
  TestGateway gw{config_for(db, mock), db.gateway_env()};
  std::string key = generate_key(gw, R"({"max_budget":10})");

  // A streamed request with the key: its events, after a 200.
  std::vector<SseEvent> stream(const std::string& model) const {
    int status = 0;
    auto events = read_sse(gw.port(), "/v1/responses", request(model, R"(,"stream":true)"), bearer(key), &status);
    REQUIRE(status == 200);
    return events;
  }
};

}  // namespace

TEST_CASE("a Responses API request passes through to OpenAI, priced from its usage and logged",
          "[integration][responses]") {
  const World world;
  const auto& [db, mock, gw, key] = world;
  const auto reply = http_request(gw.port(), "POST", "/v1/responses", request("gpt"), bearer(key));
  const double cost = check_completed_response(reply);

  const auto last = mock.last();
  CHECK(str(last["path"]) == "/v1/responses");
  CHECK(str(last["headers"]["authorization"]) == "Bearer sk-upstream-responses");
  const auto sent = json(str(last["body"]));
  CHECK(str(sent["model"]) == "gpt-upstream");
  CHECK(str(sent["instructions"]) == "be brief");

  CHECK(key_spend(db, key, cost) == Approx(cost).epsilon(1e-9));
  const auto rows = spend_rows(db, key, 1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].call_type == "aresponses");
  CHECK(rows[0].spend == Approx(cost).epsilon(1e-9));
}

TEST_CASE("a streamed response is relayed event by event and charged from response.completed",
          "[integration][responses][streaming]") {
  const World world;
  const auto events = world.stream("streamy");
  REQUIRE(events.size() >= 9);
  CHECK(event_name(events.front().data) == "response.created");
  CHECK(event_name(events.back().data) == "response.completed");
  std::string text;
  int deltas = 0;
  for (const auto& e : events) {
    CHECK(e.data.find("[DONE]") == std::string::npos);  // the Responses stream has no [DONE]
    if (event_name(e.data) != "response.output_text.delta") continue;
    ++deltas;
    text += str(sse_data_json(e)["delta"]);
  }
  CHECK(deltas == 5);
  CHECK(text == "Hello from tollgate-mock! This is a canned reply from the fake upstream.");
  const auto completed = sse_data_json(events.back());
  const auto& usage = completed["response"]["usage"];
  const double cost = usage["input_tokens"].GetInt64() * kInputPrice + usage["output_tokens"].GetInt64() * kOutputPrice;
  CHECK(cost > 0);
  CHECK(key_spend(world.db, world.key, cost) == Approx(cost).epsilon(1e-9));
}

TEST_CASE("a Responses stream cut mid-way ends with an error event and is still charged",
          "[integration][responses][streaming]") {
  const World world;
  const auto events = world.stream("broken");
  REQUIRE(events.size() >= 2);
  CHECK(event_name(events.back().data) == "error");
  CHECK(str(sse_data_json(events.back())["type"]) == "error");
  // The prompt estimate plus the two deltas that arrived: more than nothing.
  CHECK(key_spend(world.db, world.key, 1e-12) > 0);
}

TEST_CASE("Azure deployments get the Responses API at /openai/responses with their deployment as the model",
          "[integration][responses][azure]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  register_secret("azure-secret-key");
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto reply = http_request(gw.port(), "POST", "/v1/responses", request("azure-gpt"), bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  CHECK(str(json(reply.body)["object"]) == "response");
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/openai/responses?api-version=2025-03-01-preview");
  CHECK(str(last["headers"]["api-key"]) == "azure-secret-key");
  CHECK(str(json(str(last["body"]))["model"]) == "my-deployment");
}

TEST_CASE("Responses API requests the gateway cannot bound, charge or serve are refused before any upstream call",
          "[integration][responses]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw, R"({"max_budget":10,"models":["gpt","claude"]})");
  auto refused = [&](const std::string& body, int status, const std::string& param, const std::string& says) {
    const auto reply = http_request(gw.port(), "POST", "/v1/responses", body, bearer(key));
    CHECK(reply.status == status);
    const auto error = json(reply.body);
    REQUIRE(error.HasMember("error"));
    CHECK_THAT(str(error["error"]["message"]), Catch::Contains(says));
    if (!param.empty()) CHECK(str(error["error"]["param"]) == param);
  };
  refused(request("gpt", R"(,"tools":[{"type":"function","name":"f","parameters":{}},{"type":"web_search"}])"), 400,
          "tools[1].type", "web_search");
  refused(request("gpt", R"(,"background":true)"), 400, "background", "Background responses are not supported");
  refused(request("gpt", R"(,"conversation":"conv_of_another_key")"), 400, "conversation",
          "'conversation' is not supported");
  refused(R"({"model":"gpt"})", 400, "input", "'input' is required");
  refused(R"({"model":"gpt","input":42})", 400, "input", "must be a string or an array");
  refused(request("gpt", R"(,"stream":"yes")"), 400, "stream", "'stream' must be a boolean");
  refused(request("gpt", R"(,"tools":[{"type":"mcp","server_url":"litellm_proxy"}])"), 400, "tools[0]", "MCP tools");
  refused(request("claude", R"(,"tools":[{"type":"custom","name":"x"}])"), 400, "tools[0]", "speaks chat only");
  refused(request("streamy"), 403, "", "not allowed to use the model");
  refused(request("nope"), 404, "model", "does not exist");
  CHECK(mock.stats()["requests"].GetInt64() == 0);

  const auto anonymous = http_request(gw.port(), "POST", "/v1/responses", request("gpt"));
  CHECK(anonymous.status == 401);
}

TEST_CASE("a Responses API request whose worst case exceeds the key's budget is refused with 429",
          "[integration][responses][budgets]") {
  TestDatabase db("sqlite");
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  // 200 output tokens at most ($0.0004) fit a $0.001 budget; a stored conversation does not:
  // only the model's context window bounds what previous_response_id brings in.
  const auto key = generate_key(gw, R"({"max_budget":0.001})");
  const auto fits = http_request(gw.port(), "POST", "/v1/responses", request("gpt"), bearer(key));
  REQUIRE(fits.status == 200);
  const auto previous = str(json(fits.body)["id"]);
  const auto stored = http_request(gw.port(), "POST", "/v1/responses",
                                   request("gpt", R"(,"previous_response_id":")" + previous + R"(")"), bearer(key));
  CHECK(stored.status == 429);
  CHECK(str(json(stored.body)["error"]["type"]) == "budget_exceeded");
  CHECK(mock.stats()["requests"].GetInt64() == 1);
}

TEST_CASE("a chat-only provider serves the Responses API through chat, whole and streamed, and is charged",
          "[integration][responses][translated]") {
  const World world;
  const auto& [db, mock, gw, key] = world;
  const auto reply =
      http_request(gw.port(), "POST", "/v1/responses", request("claude", R"(,"max_output_tokens":40)"), bearer(key));
  const double cost = check_completed_response(reply);
  // Sent as Anthropic messages: instructions as the system prompt, the limit as max_tokens.
  const auto last = mock.last();
  CHECK(str(last["path"]) == "/v1/messages");
  const auto sent = json(str(last["body"]));
  CHECK(str(sent["system"]) == "be brief");
  const auto& content = sent["messages"][0]["content"];
  CHECK((content.IsString() ? str(content) : str(content[0]["text"])) == "hello responses");
  CHECK(sent["max_tokens"].GetInt64() == 40);
  CHECK(key_spend(db, key, cost) == Approx(cost).epsilon(1e-9));

  int status = 0;
  const auto events =
      read_sse(gw.port(), "/v1/responses", request("claude", R"(,"stream":true)"), bearer(key), &status);
  REQUIRE(status == 200);
  REQUIRE(events.size() >= 4);
  CHECK(event_name(events.front().data) == "response.created");
  CHECK(event_name(events.back().data) == "response.completed");
  std::string text;
  for (const auto& e : events) {
    if (event_name(e.data) == "response.output_text.delta") text += str(sse_data_json(e)["delta"]);
  }
  CHECK_THAT(text, Catch::Contains("tollgate-mock"));
  const auto completed = sse_data_json(events.back());
  const auto& usage = completed["response"]["usage"];
  CHECK(str(completed["response"]["output"][0]["content"][0]["text"]) == text);
  const double streamed =
      usage["input_tokens"].GetInt64() * kInputPrice + usage["output_tokens"].GetInt64() * kOutputPrice;
  CHECK(streamed > 0);
  CHECK(key_spend(db, key, cost + streamed) == Approx(cost + streamed).epsilon(1e-9));
}

TEST_CASE("a translated Responses stream cut mid-way ends with an error event and is still charged",
          "[integration][responses][translated][streaming]") {
  const World world;
  const auto events = world.stream("claude-broken");
  REQUIRE(events.size() >= 2);
  CHECK(event_name(events.front().data) == "response.created");
  CHECK(event_name(events.back().data) == "error");
  const auto error = sse_data_json(events.back());
  CHECK(str(error["type"]) == "error");
  CHECK(error["sequence_number"].GetInt64() == static_cast<std::int64_t>(events.size()) - 1);
  CHECK(key_spend(world.db, world.key, 1e-12) > 0);
}
