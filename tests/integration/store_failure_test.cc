// No management request is left without an answer: a handler that throws something nobody
// anticipated answers 500 naming the request id (run_management with the real authenticator
// and store pool, the work item throwing), and a store that cannot keep up answers 503
// store_overloaded at once past general_settings.store_queue_limit (a real gateway whose
// SQLite file another connection holds locked), with the queue depth on /metrics.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "api/gateway_context.h"
#include "api/management/management.h"
#include "identity/authenticator.h"
#include "persistence/store_pool.h"
#include "telemetry/log.h"
#include "tests/store/store_fixture.h"
#include "tests/support/fake_exchange.h"
#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

// This process's log (scripts/test routes it to $TOLLGATE_TEST_LOG_DIR); empty when not routed.
std::string own_log() {
  const char* dir = std::getenv("TOLLGATE_TEST_LOG_DIR");
  if (dir == nullptr || *dir == '\0') return {};
  telemetry::Logger::instance().flush();
  std::ifstream in(std::string(dir) + "/tollgate_integration_tests-" + std::to_string(getpid()) + ".log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string error_code(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (!d.IsObject() || !d.HasMember("error") || !d["error"]["code"].IsString()) return {};
  return d["error"]["code"].GetString();
}

// The value of an unlabelled metric on /metrics, or -1 when absent.
double metric(std::uint16_t port, const std::string& name) {
  const auto text = http_request(port, "GET", "/metrics").body;
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("a management handler throwing an unexpected exception answers 500 with the request id",
          "[integration][management][errors]") {
  persistence::StorePool pool("", temp_dir() + "/tollgate.db", 1, 10);
  identity::KeyCache keys;
  identity::AuthFailureLimiter limiter(60, std::chrono::seconds(60));
  identity::Authenticator auth(test_master_key(), keys, &pool, limiter);
  api::GatewayContext context;
  context.auth = &auth;
  context.store = &pool;

  const std::string leaked = "sk-never-in-a-response-" + std::to_string(getpid());
  register_secret(leaked);
  auto exchange = std::make_shared<FakeExchange>(
      http::Method::post, "/team/new", R"({"team_alias":"a"})",
      std::map<std::string, std::string>{{"Authorization", "Bearer " + test_master_key()}});
  api::run_management(context, exchange, [&](persistence::Store& store, const api::ManagementCall&) -> http::Response {
    store.find_team("nobody");  // real store work first, then a bug
    throw std::logic_error("invariant broken for " + leaked);
  });
  REQUIRE(exchange->wait_done());
  CHECK(exchange->responses() == 1);
  CHECK(exchange->status() == 500);
  const auto& body = exchange->response().body;
  CHECK_THAT(body, Catch::Contains(R"("type":"internal_server_error")") && Catch::Contains(exchange->request_id()));
  CHECK(body.find("invariant") == std::string::npos);
  CHECK(body.find(leaked) == std::string::npos);

  const auto log = own_log();
  if (!log.empty()) {
    CHECK_THAT(log,
               Catch::Contains(R"("event":"management_unexpected_error","request_id":")" + exchange->request_id()));
    CHECK(log.find(leaked) == std::string::npos);
  }
  pool.stop();
}

TEST_CASE("past store_queue_limit management calls get 503 store_overloaded at once and the gauge shows the queue",
          "[integration][management][errors]") {
  TestDatabase db("sqlite");
  TestGateway gw(R"(
model_list:
  - model_name: m
    litellm_params: {model: mock/m}
general_settings:
  store_threads: 1
  store_queue_limit: 1
  sqlite_path: )" +
                 db.sqlite_path() + "\n");

  // Another connection takes the write lock: the store thread's first write waits on it.
  auto holder = db.open_connection();
  holder->begin();
  auto create_team = [&](int i) {
    return std::async(std::launch::async, [&gw, i] {
      return http_request(gw.port(), "POST", "/team/new", R"({"team_id":"t)" + std::to_string(i) + R"("})",
                          bearer(gw.master_key()));
    });
  };
  // Wait until the store thread has taken t0 (it is in flight, nothing is queued) and waits
  // for the lock; the metrics request counts itself in the in-flight gauge, hence a baseline.
  const auto idle_in_flight = metric(gw.port(), "tollgate_http_in_flight_requests");
  std::vector<std::future<HttpReply>> replies;
  replies.push_back(create_team(0));
  for (int tries = 0; tries < 500; ++tries) {
    if (metric(gw.port(), "tollgate_http_in_flight_requests") > idle_in_flight &&
        metric(gw.port(), "tollgate_store_queue_depth") == 0) {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  for (int i = 1; i <= 5; ++i) replies.push_back(create_team(i));

  // One call waits in the queue; the other four are answered without waiting.
  int answered = 0;
  for (int tries = 0; tries < 300 && answered < 4; ++tries) {
    answered = 0;
    for (auto& r : replies) answered += r.wait_for(0ms) == std::future_status::ready;
    std::this_thread::sleep_for(10ms);
  }
  CHECK(answered == 4);
  CHECK(metric(gw.port(), "tollgate_store_queue_depth") == 1);
  CHECK(metric(gw.port(), "tollgate_store_rejected_jobs_total") == 4);

  holder->rollback();
  int created = 0;
  int overloaded = 0;
  for (auto& r : replies) {
    const auto reply = r.get();
    INFO(reply.body);
    if (reply.status == 200) {
      ++created;
    } else {
      CHECK(reply.status == 503);
      CHECK(error_code(reply.body) == "store_overloaded");
      CHECK(reply.header("retry-after") == "1");
      ++overloaded;
    }
  }
  CHECK(created == 2);
  CHECK(overloaded == 4);
  CHECK(metric(gw.port(), "tollgate_store_queue_depth") == 0);
}
