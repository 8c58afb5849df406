// Readiness against the real PostgreSQL and Redis that scripts/test starts.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const char* kModels = "model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n";

rapidjson::Document readiness(const TestGateway& gw, int& status) {
  const auto reply = http_request(gw.port(), "GET", "/health/readiness");
  status = reply.status;
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  return d;
}

std::string dead_port_url(const std::string& scheme) {
  // Port 1 on loopback: nothing listens there, connections are refused at once.
  return scheme == "redis" ? "redis://127.0.0.1:1/0" : "postgresql://postgres@127.0.0.1:1/x";
}

}  // namespace

TEST_CASE("readiness sees PostgreSQL and Redis when configured", "[integration][health][services]") {
  const auto pg = postgres_url();
  const auto redis = redis_url();
  REQUIRE(pg);  // scripts/test starts both; running without them is a setup error
  REQUIRE(redis);
  TestGateway gw(kModels, {{"DATABASE_URL", *pg}, {"REDIS_URL", *redis}});
  int status = 0;
  const auto d = readiness(gw, status);
  REQUIRE(status == 200);
  CHECK(std::string(d["db"].GetString()) == "connected");
  CHECK(std::string(d["cache"].GetString()) == "redis");
  CHECK(std::string(d["checks"]["database"]["backend"].GetString()) == "postgresql");
  CHECK(std::string(d["checks"]["database"]["status"].GetString()) == "ok");
  CHECK(std::string(d["checks"]["redis"]["status"].GetString()) == "ok");
}

TEST_CASE("readiness is 503 and names a failing Redis", "[integration][health][services]") {
  const auto pg = postgres_url();
  REQUIRE(pg);
  TestGateway gw(kModels, {{"DATABASE_URL", *pg}, {"REDIS_URL", dead_port_url("redis")}});
  int status = 0;
  const auto d = readiness(gw, status);
  CHECK(status == 503);
  CHECK(std::string(d["status"].GetString()) == "unhealthy");
  REQUIRE(d["failing"].Size() == 1);
  CHECK(std::string(d["failing"][0].GetString()) == "redis");
  CHECK(std::string(d["checks"]["database"]["status"].GetString()) == "ok");
}

TEST_CASE("readiness is 503 and names a failing database", "[integration][health][services]") {
  TestGateway gw(kModels, {{"DATABASE_URL", dead_port_url("postgresql")}});
  int status = 0;
  const auto d = readiness(gw, status);
  CHECK(status == 503);
  CHECK(std::string(d["failing"][0].GetString()) == "database");
  CHECK(std::string(d["db"].GetString()) == "disconnected");
}
