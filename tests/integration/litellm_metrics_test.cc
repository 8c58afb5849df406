// /metrics under litellm_settings.prometheus_metric_names: Tollgate's names by default,
// LiteLLM's (litellm_requests_metric_total, litellm_spend_metric_total, budget gauges,
// litellm_deployment_state, ...) with `litellm`, both with `both` — fed by real calls through
// the gateway (docs/metrics.md holds the mapping).
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/key_hash.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;

namespace {

// "priced" answers from the built-in mock at known prices; "broken" is an OpenAI deployment
// on a port where nothing listens: every call to it fails.
std::string config_for(const TestDatabase& db, const std::string& names) {
  return "model_list:\n"
         "  - model_name: priced\n"
         "    litellm_params: {model: mock/priced-model}\n"
         "    model_info: {id: dep-priced, input_cost_per_token: 0.001, output_cost_per_token: 0.002}\n"
         "  - model_name: broken\n"
         "    litellm_params: {model: openai/broken-model, api_base: \"http://127.0.0.1:9/v1?api-key=in-url\", "
         "api_key: sk-unused}\n"
         "    model_info: {id: dep-broken}\n"
         "router_settings: {num_retries: 0}\n"
         "general_settings:\n"
         "  max_auth_failures_per_minute: 100000\n" +
         db.gateway_settings() + (names.empty() ? "" : "litellm_settings: {prometheus_metric_names: " + names + "}\n");
}

// The sum of the samples of `name` whose labels include every `labels` pair; nullopt for none.
std::optional<double> sample(const std::string& exposition, const std::string& name,
                             const std::vector<std::pair<std::string, std::string>>& labels = {}) {
  std::vector<std::string> wanted;
  for (const auto& [k, v] : labels) wanted.push_back(k + "=\"" + v + "\"");
  return metric_sum_if_any(exposition, name, wanted);
}

class World {
 public:
  explicit World(const std::string& names) : gw_(config_for(db_, names), db_.gateway_env()) {}

  void admin_ok(const std::string& path, const std::string& body) const {
    const auto reply = http_request(gw_.port(), "POST", path, body, bearer(gw_.master_key()));
    INFO(path << " -> " << reply.body);
    REQUIRE(reply.status == 200);
  }
  std::string key(const std::string& body) const { return issue_key(gw_, body); }
  int chat(const std::string& key, const std::string& model) const {
    return http_request(gw_.port(), "POST", "/v1/chat/completions",
                        R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})", bearer(key))
        .status;
  }
  // /metrics once `family` (summed over its labels) reaches `calls`: a call is counted when
  // it is settled, which may be just after its client read the answer.
  std::string metrics_after(const std::string& family, double calls) const {
    std::string text;
    for (int i = 0; i < 100; ++i) {
      const auto reply = http_request(gw_.port(), "GET", "/metrics");
      REQUIRE(reply.status == 200);
      text = reply.body;
      if (metric_sum(text, family) >= calls) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return text;
  }

 private:
  TestDatabase db_{"sqlite"};
  TestGateway gw_;
};

}  // namespace

TEST_CASE("metrics: Tollgate's names by default and with `tollgate`", "[integration][metrics][litellm_metrics]") {
  for (const std::string names : {"", "tollgate"}) {
    CAPTURE(names);
    World w(names);
    const auto key = w.key("{}");
    CHECK(w.chat(key, "priced") == 200);
    const auto text = w.metrics_after("tollgate_http_requests_total", 2);  // /key/generate and the call
    CHECK(sample(text, "tollgate_http_requests_total", {{"route", "/v1/chat/completions"}, {"status", "200"}}) == 1);
    CHECK(text.find("litellm_") == std::string::npos);
  }
}

TEST_CASE("metrics: LiteLLM's names with `litellm`, fed by real calls", "[integration][metrics][litellm_metrics]") {
  World w("litellm");
  w.admin_ok("/team/new", R"({"team_id":"t-1","team_alias":"Team One","max_budget":100})");
  const auto key = w.key(R"({"team_id":"t-1","key_alias":"k-alias","max_budget":50})");
  const auto hash = core::hash_key(key);
  CHECK(w.chat(key, "priced") == 200);
  CHECK(w.chat(key, "priced") == 200);
  CHECK(w.chat(key, "broken") >= 500);

  const auto text = w.metrics_after("litellm_proxy_total_requests_metric_total", 3);
  INFO(text);
  CHECK(text.find("tollgate_") == std::string::npos);  // only LiteLLM's families
  CHECK(text.find(key) == std::string::npos);          // never the key itself

  const std::vector<std::pair<std::string, std::string>> who = {
      {"hashed_api_key", hash}, {"api_key_alias", "k-alias"}, {"team", "t-1"}, {"team_alias", "Team One"}};
  auto with = [&who](std::vector<std::pair<std::string, std::string>> more) {
    more.insert(more.end(), who.begin(), who.end());
    return more;
  };
  // Per call, by key and team, as LiteLLM labels them.
  CHECK(sample(text, "litellm_requests_metric_total", with({{"model", "priced-model"}, {"model_id", "dep-priced"}})) ==
        2);
  CHECK(sample(text, "litellm_proxy_total_requests_metric_total",
               with({{"requested_model", "priced"}, {"status_code", "200"}})) == 2);
  const auto failed = sample(text, "litellm_proxy_failed_requests_metric_total", with({{"requested_model", "broken"}}));
  CHECK(failed == 1);
  CHECK(text.find("exception_class=\"") != std::string::npos);
  const auto spend = sample(text, "litellm_spend_metric_total", with({{"model", "priced-model"}}));
  REQUIRE(spend);
  CHECK(*spend > 0);
  const auto input = sample(text, "litellm_input_tokens_metric_total", with({{"requested_model", "priced"}}));
  const auto output = sample(text, "litellm_output_tokens_metric_total", with({{"requested_model", "priced"}}));
  const auto total = sample(text, "litellm_total_tokens_metric_total", with({{"requested_model", "priced"}}));
  REQUIRE(input);
  REQUIRE(output);
  CHECK(total == *input + *output);
  CHECK(*spend == Approx(*input * 0.001 + *output * 0.002));
  CHECK(sample(text, "litellm_request_total_latency_metric_count", with({{"requested_model", "priced"}})) == 2);

  // Budgets: the owners' exact figures.
  CHECK(sample(text, "litellm_team_max_budget_metric", {{"team", "t-1"}, {"team_alias", "Team One"}}) == 100);
  CHECK(sample(text, "litellm_remaining_team_budget_metric", {{"team", "t-1"}, {"team_alias", "Team One"}}) ==
        Approx(100 - *spend));
  CHECK(sample(text, "litellm_api_key_max_budget_metric", {{"hashed_api_key", hash}}) == 50);
  CHECK(sample(text, "litellm_remaining_api_key_budget_metric",
               {{"hashed_api_key", hash}, {"api_key_alias", "k-alias"}}) == Approx(50 - *spend));

  // Per deployment.
  const std::vector<std::pair<std::string, std::string>> priced = {
      {"litellm_model_name", "priced-model"}, {"model_id", "dep-priced"}, {"api_provider", "mock"}};
  CHECK(sample(text, "litellm_deployment_state", priced) == 0);
  CHECK(sample(text, "litellm_deployment_success_responses_total", priced) == 2);
  CHECK(sample(text, "litellm_deployment_total_requests_total", priced) == 2);
  CHECK(sample(text, "litellm_llm_api_latency_metric_count", {{"model_id", "dep-priced"}}) == 2);
  const std::vector<std::pair<std::string, std::string>> broken = {
      {"litellm_model_name", "broken-model"}, {"model_id", "dep-broken"}, {"api_base", "http://127.0.0.1:9/v1"}};
  CHECK(sample(text, "litellm_deployment_failure_responses_total", broken) >= 1);
  CHECK(sample(text, "litellm_deployment_state", broken) >= 1);  // partial or complete outage
  CHECK(text.find("in-url") == std::string::npos);               // api_base without its query
}

TEST_CASE("metrics: both names with `both`, a bad value refuses to start", "[integration][metrics][litellm_metrics]") {
  World w("both");
  const auto key = w.key("{}");
  CHECK(w.chat(key, "priced") == 200);
  w.metrics_after("tollgate_http_requests_total", 2);
  const auto text = w.metrics_after("litellm_proxy_total_requests_metric_total", 1);
  CHECK(sample(text, "tollgate_http_requests_total", {{"route", "/v1/chat/completions"}}) == 1);
  CHECK(sample(text, "litellm_requests_metric_total", {{"model", "priced-model"}, {"model_id", "dep-priced"}}) == 1);
  CHECK(sample(text, "litellm_deployment_success_responses_total", {{"model_id", "dep-priced"}}) == 1);

  TestDatabase db("sqlite");
  CHECK_THROWS_WITH(TestGateway(config_for(db, "grafana"), db.gateway_env()),
                    Catch::Contains("litellm_settings.prometheus_metric_names") && Catch::Contains("grafana"));
}
