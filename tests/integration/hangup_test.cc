// Clients that hang up while their request is still being worked on elsewhere: while the key
// is looked up in the store, while the budget loads, while a slow upstream answers. The late
// completion resumes on the closed connection's executor and lets go of what it held; the
// gateway stays healthy, the next request with the same key works, and a deployment is never
// blamed for a client's impatience. (scripts/test-sanitizers runs these under TSan too.)
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <future>
#include <thread>

#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

// One store thread, so that a job waiting for a lock holds up every job queued after it.
std::string config_for(const TestDatabase& db, const MockUpstream& mock) {
  return "model_list:\n"
         "  - model_name: quick\n"
         "    litellm_params: {model: openai/quick-model, api_base: \"" +
         mock.base_url() +
         "\"}\n"
         "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
         "general_settings:\n"
         "  store_threads: 1\n" +
         db.gateway_settings();
}

const std::string kChat = R"({"model":"quick","messages":[{"role":"user","content":"are you there?"}]})";

// At most one request at a time: a reservation the abandoned request failed to give back
// would refuse the next one with 429.
std::string generate_key(const TestGateway& gw) {
  const auto reply =
      http_request(gw.port(), "POST", "/key/generate", R"({"max_parallel_requests":1})", bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  const std::string key = d["key"].GetString();
  register_secret(key);
  return key;
}

double scraped(const TestGateway& gw, const std::string& name) {
  return metric_sum(http_request(gw.port(), "GET", "/metrics").body, name);
}

// Holds the store's only thread: a test connection takes a lock, then a management write
// (creating a team) waits for it on that thread; every store job queued after it waits too.
class StoreStall {
 public:
  StoreStall(const TestDatabase& db, const TestGateway& gw) : connection_(db.open_connection()) {
    connection_->begin();  // SQLite: BEGIN IMMEDIATE, the database's write lock
    if (db.is_postgres()) connection_->execute_script("LOCK TABLE teams IN ACCESS EXCLUSIVE MODE");
    const double idle = scraped(gw, "tollgate_http_in_flight_requests");  // the scrape itself
    write_ = std::async(std::launch::async, [port = gw.port(), master = gw.master_key()] {
      return http_request(port, "POST", "/team/new", R"({"team_alias":"stalled-write"})", bearer(master)).status;
    });
    // The write is in flight and nothing is queued: the store thread has taken it.
    for (int tries = 0; tries < 500; ++tries) {
      if (scraped(gw, "tollgate_http_in_flight_requests") > idle && scraped(gw, "tollgate_store_queue_depth") == 0) {
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
  }
  // Lets the write (and everything queued behind it) run; returns the write's status.
  int release() {
    connection_->rollback();
    return write_.get();
  }

 private:
  std::unique_ptr<persistence::SqlConnection> connection_;
  std::future<int> write_;
};

// Sends a chat request with `key` and hangs up after 300 ms; returns what arrived by then.
std::string impatient_chat(const TestGateway& gw, const std::string& key) {
  return raw_exchange(gw.port(), raw_post("/v1/chat/completions", kChat, bearer(key)), 300ms);
}

// Polls /metrics until `name` reads `expected` (up to 5 s); returns the last reading.
double settled_metric(const TestGateway& gw, const std::string& name, double expected) {
  double value = -1;
  for (int i = 0; i < 100; ++i) {
    value = scraped(gw, name);
    if (value == expected) break;
    std::this_thread::sleep_for(50ms);
  }
  return value;
}

// What must hold after an abandoned request: nothing stuck, and the same key works again.
void check_recovered(const TestGateway& gw, const MockUpstream& mock, const std::string& key) {
  CHECK(settled_metric(gw, "tollgate_budget_reservations_outstanding", 0) == 0);
  CHECK(settled_metric(gw, "tollgate_http_in_flight_requests", 1) == 1);  // the scrape itself
  const auto next = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key));
  INFO(next.body);
  CHECK(next.status == 200);
  CHECK(mock.requests_for_model("quick-model") == 1);  // the abandoned request never went upstream
  CHECK(http_request(gw.port(), "GET", "/health/liveliness").status == 200);
}

}  // namespace

TEMPLATE_TEST_CASE("a client that hangs up while its key is loaded from the store", "[integration][hangup]", Sqlite,
                   PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw);  // not in the key cache: its first use asks the store

  StoreStall stall(db, gw);
  CHECK(impatient_chat(gw, key).empty());  // still waiting for the lookup when it hung up
  CHECK(stall.release() == 200);

  check_recovered(gw, mock, key);
}

TEMPLATE_TEST_CASE("a client that hangs up while its budget is loading", "[integration][hangup]", Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  MockUpstream mock;
  TestGateway gw(config_for(db, mock), db.gateway_env());
  const auto key = generate_key(gw);
  // Authenticates (the key is cached now) without admission: its budget is not loaded yet.
  REQUIRE(http_request(gw.port(), "GET", "/v1/models", "", bearer(key)).status == 200);

  StoreStall stall(db, gw);
  CHECK(impatient_chat(gw, key).empty());  // admission was waiting for the spend when it hung up
  CHECK(stall.release() == 200);

  check_recovered(gw, mock, key);
}

TEST_CASE("clients that hang up on a slow upstream never cool its deployment down", "[integration][hangup][cooldown]") {
  MockUpstream mock;
  TestGateway gw(
      "model_list:\n"
      "  - model_name: slow\n"
      "    litellm_params: {model: openai/latency-800, api_base: \"" +
      mock.base_url() +
      "\"}\n"
      "router_settings: {num_retries: 0, allowed_fails: 0, cooldown_time: 60}\n");
  const std::string chat = R"({"model":"slow","messages":[{"role":"user","content":"take your time"}]})";
  std::vector<std::thread> impatient;
  for (int i = 0; i < 3; ++i) {
    impatient.emplace_back(
        [&] { raw_exchange(gw.port(), raw_post("/v1/chat/completions", chat, bearer(gw.master_key())), 200ms); });
  }
  for (auto& t : impatient) t.join();
  std::int64_t aborts = 0;
  for (int i = 0; i < 100 && aborts < 3; ++i) {
    std::this_thread::sleep_for(20ms);
    aborts = mock.client_aborts();
  }
  CHECK(aborts == 3);  // each hang-up cancelled its upstream call

  // With allowed_fails 0, a single counted failure would have cooled the only deployment down
  // for a minute: this request would get 429 instead.
  const auto served = http_request(gw.port(), "POST", "/v1/chat/completions", chat, bearer(gw.master_key()));
  INFO(served.body);
  CHECK(served.status == 200);
  CHECK(mock.requests_for_model("latency-800") == 4);

  const auto metrics = http_request(gw.port(), "GET", "/metrics").body;
  CHECK(metric_sum(metrics, "tollgate_client_cancelled_total") == 3);
  CHECK(metric_sum(metrics, "tollgate_deployment_cooldowns_total") == 0);
  CHECK(metric_sum(metrics, "tollgate_deployment_errors_total") == 0);
  CHECK(metric_sum(metrics, "tollgate_deployment_requests_total", R"(outcome="failure")") == 0);
  CHECK(metric_sum(metrics, "tollgate_deployment_requests_total", R"(outcome="success")") == 1);
  CHECK(metric_sum(metrics, "tollgate_deployment_in_flight_requests") == 0);
}
