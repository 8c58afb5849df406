// Main inference routes to OpenAI-wire deployments write the output limit they reserve
// (docs/budgets.md "The reservation rule"): a request without a limit to a model whose maximum
// output is unknown goes up with core::kWrittenOutputLimit in the field its route and provider
// read, admission reserves exactly that (per choice), and the answer settles within it. Real
// gateway, real loopback HTTP, tollgate-mock as the provider (its `tokenizer` stops at the
// request's limit as a provider does).
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;

namespace {

const std::string kProviderKey = "sk-outlimit-" + std::to_string(::getpid());
// 40,000 bytes of ASCII reply: 10,000 tokens. No model here is in the built-in table.
const std::string kVllm = "tg-chat+tokenizer+size-40000";
const std::string kReasoner = "o4-tg+tokenizer+size-40000";  // an OpenAI reasoning model's name
const std::string kDescribed = "tg-described+tokenizer+size-40000";
// Output tokens only, at $0.001: a reservation of N output tokens is $N/1000 exactly.
constexpr const char* kPrices = "input_cost_per_token: 0, output_cost_per_token: 0.001";

std::string deployment(const std::string& name, const std::string& model, const MockUpstream& mock,
                       const std::string& info = "") {
  return "  - model_name: " + name + "\n    litellm_params: {model: \"" + model + "\", api_base: \"" + mock.base_url() +
         "\", api_key: " + kProviderKey + "}\n    model_info: {" + kPrices + info + "}\n";
}

std::string config_for(const MockUpstream& mock, const TestDatabase& db) {
  register_secret(kProviderKey);
  return "model_list:\n" + deployment("vllm", "hosted_vllm/" + kVllm, mock) +
         deployment("reasoner", "openai/" + kReasoner, mock) +
         deployment("described", "hosted_vllm/" + kDescribed, mock, ", max_output_tokens: 50") +
         "router_settings: {num_retries: 0}\ngeneral_settings:\n" + db.gateway_settings();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

// The limit fields a forwarded body carries (a provider may read any of them).
std::vector<std::string> limit_fields(const rapidjson::Value& body) {
  std::vector<std::string> out;
  for (const char* f : {"max_tokens", "max_completion_tokens", "max_output_tokens"})
    if (body.HasMember(f) && !body[f].IsNull()) out.emplace_back(f);
  return out;
}

std::string metrics(const TestGateway& gw) { return http_request(gw.port(), "GET", "/metrics").body; }

struct Route {
  std::string path;
  std::string body;  // without its model: {"model":"<group>", + this
};
const std::string kHi = R"("messages":[{"role":"user","content":"hi"}]})";
const Route kChat{"/v1/chat/completions", kHi};
const Route kChatStream{"/v1/chat/completions", R"("stream":true,)" + kHi};
const Route kCompletion{"/v1/completions", R"("prompt":"hi"})"};
const Route kResponses{"/v1/responses", R"("input":"hi"})"};
const Route kMessages{"/v1/messages", kHi};

std::string body_of(const std::string& group, const Route& r) { return R"({"model":")" + group + "\"," + r.body; }

struct World {
  MockUpstream mock;
  TestDatabase db{"sqlite"};
  TestGateway gw{config_for(mock, db), db.gateway_env()};
};

}  // namespace

TEST_CASE("main routes send a request without a limit, to a model of unknown maximum, with the limit they reserved",
          "[integration][budgets][output_limit]") {
  World w;
  struct Case {
    std::string group;
    Route route;
    std::string field;
  };
  // chat: max_tokens for an OpenAI-compatible server, max_completion_tokens for a reasoning
  // model; completions: max_tokens; Responses: max_output_tokens; Messages: translated to chat.
  const std::vector<Case> cases = {
      {"vllm", kChat, "max_tokens"},
      {"vllm", kChatStream, "max_tokens"},
      {"reasoner", kChat, "max_completion_tokens"},
      {"vllm", kCompletion, "max_tokens"},
      {"vllm", kResponses, "max_output_tokens"},
      {"reasoner", kResponses, "max_output_tokens"},
      {"vllm", kMessages, "max_tokens"},
      {"reasoner", kMessages, "max_completion_tokens"},
  };
  const auto key = issue_key(w.gw, R"({"max_budget":1000})");
  for (const auto& c : cases) {
    INFO(c.group << " " << c.route.path << " " << c.route.body);
    const auto reply = http_request(w.gw.port(), "POST", c.route.path, body_of(c.group, c.route), bearer(key));
    REQUIRE(reply.status == 200);
    const auto sent = w.mock.last_body();
    CHECK(limit_fields(sent) == std::vector<std::string>{c.field});
    REQUIRE(sent.HasMember(c.field.c_str()));
    CHECK(sent[c.field.c_str()].GetInt64() == 4096);
  }
  const auto rows = spend_rows_of_key(w.db, key, cases.size());
  REQUIRE(rows.size() == cases.size());
  for (const auto& row : rows) {
    CHECK(row.completion_tokens > 0);
    CHECK(row.completion_tokens <= 4096);  // 10,000 without the limit
  }
  CHECK_THAT(metrics(w.gw), Catch::Contains("tollgate_settle_above_reservation_total 0"));
}

TEST_CASE("the reservation of a request without a limit is the limit written, per choice",
          "[integration][budgets][output_limit]") {
  World w;
  // 4,096 output tokens at $0.001 are $4.096: refused just below, admitted just above.
  const auto under = issue_key(w.gw, R"({"max_budget":4.0955})");
  const auto over = issue_key(w.gw, R"({"max_budget":4.0965})");
  for (const auto& route : {kChat, kCompletion, kResponses, kMessages}) {
    INFO(route.path);
    const auto refused = http_request(w.gw.port(), "POST", route.path, body_of("vllm", route), bearer(under));
    CHECK(refused.status == 429);
    CHECK_THAT(refused.body, Catch::Contains("budget"));
  }
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);
  const auto admitted = http_request(w.gw.port(), "POST", "/v1/chat/completions", body_of("vllm", kChat), bearer(over));
  REQUIRE(admitted.status == 200);
  CHECK(w.mock.last_body()["max_tokens"].GetInt64() == 4096);
  CHECK(std::stod(admitted.header("x-litellm-response-cost")) <= 4.096 + 1e-9);

  // n = 2: two answers of 4,096 each, $8.192.
  const auto two = issue_key(w.gw, R"({"max_budget":8.19})");
  const auto n2 =
      http_request(w.gw.port(), "POST", "/v1/chat/completions", R"({"model":"vllm","n":2,)" + kChat.body, bearer(two));
  CHECK(n2.status == 429);

  // The client's own limit is reserved and forwarded as it was, never raised.
  const auto small = issue_key(w.gw, R"({"max_budget":0.011})");
  const auto own = http_request(w.gw.port(), "POST", "/v1/chat/completions",
                                R"({"model":"vllm","max_completion_tokens":10,)" + kChat.body, bearer(small));
  REQUIRE(own.status == 200);
  const auto sent = w.mock.last_body();
  CHECK(limit_fields(sent) == std::vector<std::string>{"max_completion_tokens"});
  CHECK(sent["max_completion_tokens"].GetInt64() == 10);
  CHECK_THAT(metrics(w.gw), Catch::Contains("tollgate_settle_above_reservation_total 0"));
}

TEST_CASE("a known maximum is reserved and nothing is written, an unreadable limit of an unknown one is refused",
          "[integration][budgets][output_limit]") {
  World w;
  // model_info.max_output_tokens 50: reserved ($0.05), the request goes up as it was.
  const auto under = issue_key(w.gw, R"({"max_budget":0.0495})");
  CHECK(http_request(w.gw.port(), "POST", "/v1/chat/completions", body_of("described", kChat), bearer(under)).status ==
        429);
  const auto key = issue_key(w.gw, R"({"max_budget":1})");
  REQUIRE(http_request(w.gw.port(), "POST", "/v1/chat/completions", body_of("described", kChat), bearer(key)).status ==
          200);
  CHECK(limit_fields(w.mock.last_body()).empty());

  // (tollgate-mock knows no model maximum: that answer spent the key's budget.)
  w.mock.reset();
  const auto fresh = issue_key(w.gw, R"({"max_budget":1000})");
  const auto unreadable = http_request(w.gw.port(), "POST", "/v1/chat/completions",
                                       R"({"model":"vllm","max_tokens":"100",)" + kChat.body, bearer(fresh));
  CHECK(unreadable.status == 400);
  const auto error = json(unreadable.body);
  CHECK(std::string(error["error"]["param"].GetString()) == "max_tokens");
  CHECK(w.mock.stats()["requests"].GetInt64() == 0);
}
