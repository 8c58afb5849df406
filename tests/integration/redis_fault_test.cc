// Redis unreachable, at start and mid-run, for a single node (issue #15, item 5): readiness says
// so (503 naming redis) and comes back by itself, while serving — inference, keys, spend — goes
// on, since a single node keeps its budgets and rate limits in memory and Redis only for the
// cluster (docs/cluster.md, "Redis").
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const char* kModels = "model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n";
const std::string kChat = R"({"model":"m","messages":[{"role":"user","content":"is redis needed?"}]})";

std::string redis_status(const TestGateway& gw, int& status) {
  const auto reply = http_request(gw.port(), "GET", "/health/readiness");
  status = reply.status;
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  if (!d.IsObject() || !d.HasMember("checks") || !d["checks"].HasMember("redis")) return "absent";
  return d["checks"]["redis"]["status"].GetString();
}

// Readiness polls its dependencies every 5 s: waits up to 15 s for the wanted Redis status.
bool redis_becomes(const TestGateway& gw, const std::string& wanted, int wanted_status) {
  for (int tries = 0; tries < 150; ++tries) {
    int status = 0;
    if (redis_status(gw, status) == wanted && status == wanted_status) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// Inference with the master key, a key created, and inference with it (its spend settled).
void serving_works(const TestGateway& gw) {
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(gw.master_key())).status == 200);
  const auto key = issue_key(gw, R"({"max_budget": 10})");
  REQUIRE(key.rfind("sk-", 0) == 0);
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key));
  CHECK(reply.status == 200);
  CHECK_FALSE(reply.header("x-litellm-response-cost").empty());
}

}  // namespace

TEST_CASE("Redis unreachable at start: readiness 503 names it, a single node serves as usual",
          "[integration][faults][redis]") {
  // Port 1 on loopback: nothing listens there.
  TestGateway gw(kModels, {{"REDIS_URL", "redis://127.0.0.1:1/0"}});
  int status = 0;
  CHECK(redis_status(gw, status) != "ok");
  CHECK(status == 503);
  serving_works(gw);
}

TEST_CASE("Redis killed mid-run: readiness goes 503 and back when Redis returns, serving never stops",
          "[integration][faults][redis]") {
  RedisServer redis;
  TestGateway gw(kModels, {{"REDIS_URL", redis.url()}});
  REQUIRE(redis_becomes(gw, "ok", 200));
  serving_works(gw);

  redis.kill_now();
  CHECK(redis_becomes(gw, "failing", 503));
  serving_works(gw);

  redis.start();
  CHECK(redis_becomes(gw, "ok", 200));
  serving_works(gw);
}
