// An Anthropic stream reports its output tokens only at the end (message_delta; message_start
// says 0), so a stream cut before then — the upstream broke, or the client hung up as soon as
// it had the text — was charged the input alone, every token relayed to the client free. Over
// loopback with tollgate-mock answering as Anthropic: a cut stream is charged its input plus the
// gateway's estimate of the text it relayed (core/token_estimate.h), on /v1/messages, on the
// /anthropic pass-through and translated on /v1/chat/completions.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include <rapidjson/document.h>

#include "core/token_estimate.h"
#include "tests/integration/web_tools.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kModel = "claude-3-5-sonnet-20241022";
// tollgate-mock resets the connection after two text events.
constexpr const char* kCutModel = "claude-3-5-sonnet-20241022+chunks-6+reset-mid-stream";
// Six text events 150 ms apart.
constexpr const char* kSlowModel = "claude-3-5-sonnet-20241022+chunks-6+pace-150";

std::string config_for(const MockUpstream& mock) {
  const auto params = [&](const std::string& model) {
    return mock_litellm_params(mock, "anthropic/" + model, "sk-ant-cut-stream-unused");
  };
  return "model_list:\n  - model_name: whole\n" + params(kModel) + "  - model_name: cut\n" + params(kCutModel) +
         "  - model_name: slow\n" + params(kSlowModel);
}

std::string chat_body(const std::string& model, bool stream) {
  return R"({"model":")" + model + R"(","max_tokens":16,"messages":[{"role":"user","content":"what is new today"}])" +
         (stream ? R"(,"stream":true)" : "") + "}";
}

// The input tokens the upstream reports for the prompt every request here sends (tollgate-mock
// counts them from the prompt, whatever the model), from a whole answer.
std::int64_t prompt_tokens(const TestGateway& gw, const HeaderList& auth) {
  const auto reply = http_request(gw.port(), "POST", "/v1/messages", messages_body("whole", ""), auth);
  REQUIRE(reply.status == 200);
  const auto body = parse_json(reply.body);
  return body["usage"]["input_tokens"].GetInt64();
}

// The text an event carries, as the client saw it: Anthropic's delta.text, or a chat chunk's
// choices[0].delta.content.
std::string event_text(const SseEvent& event) {
  const auto d = sse_data_json(event);
  if (d.HasParseError() || !d.IsObject()) return "";
  if (d.HasMember("delta") && d["delta"].IsObject() && d["delta"].HasMember("text")) {
    return d["delta"]["text"].GetString();
  }
  if (d.HasMember("choices") && d["choices"].IsArray() && !d["choices"].Empty()) {
    const auto& delta = d["choices"][0]["delta"];
    if (delta.IsObject() && delta.HasMember("content") && delta["content"].IsString())
      return delta["content"].GetString();
  }
  return "";
}

}  // namespace

TEST_CASE("an Anthropic stream the upstream cuts before message_delta is charged the text it relayed",
          "[integration][cut_stream][anthropic]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto input = prompt_tokens(gw, {{"x-api-key", gw.master_key()}});
  REQUIRE(input > 0);
  struct Case {
    std::string path;
    std::string body;
  };
  const Case cases[] = {
      {"/v1/messages", messages_body("cut", "", true)},
      {"/anthropic/v1/messages", messages_body(kCutModel, "", true)},
      {"/v1/chat/completions", chat_body("cut", true)},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    const auto key = issue_key(gw, R"({"max_budget":1.0})");
    int status = 0;
    const auto events = read_sse(gw.port(), c.path, c.body, bearer(key), &status);
    REQUIRE(status == 200);
    std::int64_t relayed = 0;
    bool totals = false;
    for (const auto& event : events) {
      relayed += tollgate::core::estimate_tokens(event_text(event));
      if (event.data.find("message_delta") != std::string::npos) totals = true;
    }
    REQUIRE_FALSE(totals);  // cut before the output was reported
    REQUIRE(relayed > 0);
    const double cost = static_cast<double>(input) * kClaudeInput + static_cast<double>(relayed) * kClaudeOutput;
    CHECK(key_spend(gw, key) == Approx(cost).epsilon(1e-9));  // was the input's cost alone
  }
}

TEST_CASE("a client hanging up on an Anthropic stream once it has text is charged that text",
          "[integration][cut_stream][anthropic][hangup]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock));
  const auto input = prompt_tokens(gw, {{"x-api-key", gw.master_key()}});
  const double input_cost = static_cast<double>(input) * kClaudeInput;
  for (const auto& [path, body] : {std::pair<std::string, std::string>{"/v1/messages", messages_body("slow", "", true)},
                                   {"/anthropic/v1/messages", messages_body(kSlowModel, "", true)},
                                   {"/v1/chat/completions", chat_body("slow", true)}}) {
    INFO(path);
    const auto key = issue_key(gw, R"({"max_budget":1.0})");
    const auto aborts_before = mock.client_aborts();
    bool closed = false;
    // Two or three of the six text events (150 ms apart) arrive; then the client leaves.
    const auto early = raw_exchange(gw.port(), raw_post(path, body, bearer(key)), 350ms, &closed);
    CHECK_FALSE(closed);
    REQUIRE(early.find(" 200 ") != std::string::npos);
    REQUIRE(early.find("message_delta") == std::string::npos);
    for (int i = 0; i < 100 && mock.client_aborts() == aborts_before; ++i) std::this_thread::sleep_for(20ms);
    REQUIRE(mock.client_aborts() == aborts_before + 1);
    double spend = 0;
    for (int i = 0; i < 100 && spend <= input_cost; ++i) {
      std::this_thread::sleep_for(20ms);
      spend = key_spend(gw, key);
    }
    // At least one token of output on top of the input: it was the input alone.
    CHECK(spend >= input_cost + kClaudeOutput);
    CHECK(spend <= input_cost + 16 * kClaudeOutput);  // never past max_tokens
  }
}
