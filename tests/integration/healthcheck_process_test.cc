// `tollgate --healthcheck`, the runtime image's HEALTHCHECK (docker/Dockerfile): exit 0 when the
// gateway on that port answers /health/readiness with 200, else 1.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <string>

#include "tests/support/spawn.h"
#include "tests/support/tollgate_process.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kModels = "model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n";

int healthcheck(std::uint16_t port) {
  auto probe = spawn_tollgate(kModels, {}, {"--healthcheck", "--port", std::to_string(port)});
  return wait_exit(probe.pid, 10s);
}

}  // namespace

TEST_CASE("tollgate --healthcheck: 0 for a ready gateway, 1 for an unready one or none", "[integration][process]") {
  SECTION("ready") {
    auto gateway = spawn_tollgate(kModels);
    const auto port = wait_for_port(gateway);
    CHECK(healthcheck(port) == 0);
    kill(gateway.pid, SIGTERM);
    CHECK(wait_exit(gateway.pid, 10s) == 0);
  }
  SECTION("serving but not ready (its Redis is unreachable: readiness 503)") {
    auto gateway = spawn_tollgate(kModels, {"REDIS_URL=redis://127.0.0.1:1/0"});
    const auto port = wait_for_port(gateway);
    CHECK(healthcheck(port) == 1);
    kill(gateway.pid, SIGTERM);
    CHECK(wait_exit(gateway.pid, 10s) == 0);
  }
  SECTION("nothing listening") { CHECK(healthcheck(free_port()) == 1); }
}
