// The `tollgate` binary as users run it: config errors, start-up, SIGTERM.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"
#include "tests/support/tollgate_process.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

TEST_CASE("an invalid config stops start-up naming file, key path and problem", "[integration][process]") {
  auto p = spawn_tollgate("model_list:\n  - model_name: a\n    litellm_params: {model: nosuch/x}\n");
  CHECK(wait_exit(p.pid, 5s) == 2);
  CHECK_THAT(p.err(), Catch::Contains("config.yaml: model_list[0].litellm_params.model: unknown provider 'nosuch'"));
}

TEST_CASE("a key configuring protection Tollgate lacks stops start-up and --check-config", "[integration][process]") {
  const std::string config = "general_settings:\n  enable_jwt_auth: true\n";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"--check-config"}}) {
    auto p = spawn_tollgate(config, {}, args);
    CHECK(wait_exit(p.pid, 5s) == 2);
    CHECK_THAT(p.err(), Catch::Contains("config.yaml: general_settings.enable_jwt_auth: JWT authentication is not "
                                        "implemented; Tollgate refuses to start"));
  }
}

TEST_CASE("tollgate --check-config prints each warning of an accepted config", "[integration][process]") {
  auto p = spawn_tollgate("litellm_settings:\n  drop_params: true\n", {}, {"--check-config"});
  CHECK(wait_exit(p.pid, 5s) == 0);
  CHECK_THAT(p.out(), Catch::Contains("warning: ") && Catch::Contains("config.yaml: litellm_settings.drop_params: ") &&
                          Catch::Contains("(0 deployments, 1 warnings)"));
}

TEST_CASE("SIGTERM drains and exits 0 and the generated master key is printed but never logged",
          "[integration][process]") {
  auto p = spawn_tollgate("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n");
  const auto port = wait_for_port(p);
  const auto out = p.out();
  const auto at = out.find("master key (generated, shown once): ");
  REQUIRE(at != std::string::npos);
  const auto key = out.substr(at + 36, out.find('\n', at) - at - 36);
  register_secret(key);
  CHECK(http_request(port, "POST", "/v1/chat/completions",
                     R"({"model":"m","messages":[{"role":"user","content":"x"}]})", bearer(key))
            .status == 200);
  kill(p.pid, SIGTERM);
  CHECK(wait_exit(p.pid, 10s) == 0);
  const auto err = p.err();
  CHECK_THAT(err, Catch::Contains(R"("event":"shutdown_complete","clean":true)"));
  CHECK(err.find(key) == std::string::npos);
  CHECK(err.find("sk-") == std::string::npos);
}

TEST_CASE("the master key from the environment is used and stays out of the logs", "[integration][process]") {
  const std::string key = "sk-process-env-key-" + std::to_string(getpid());
  register_secret(key);
  auto p = spawn_tollgate("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n",
                          {"TOLLGATE_MASTER_KEY=" + key});
  const auto port = wait_for_port(p);
  CHECK(p.out().find("generated") == std::string::npos);
  CHECK(http_request(port, "GET", "/v1/models", "", bearer(key)).status == 200);
  CHECK(http_request(port, "GET", "/v1/models", "", bearer(key + "x")).status == 401);
  kill(p.pid, SIGINT);
  CHECK(wait_exit(p.pid, 10s) == 0);
  CHECK(p.err().find(key) == std::string::npos);
}
