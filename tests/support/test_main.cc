// Catch2 runner for every test binary: logs go to $TOLLGATE_TEST_LOG_DIR so the test command
// can grep the whole run's logs for secrets afterwards.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "tests/support/test_env.h"

int main(int argc, char* argv[]) {
  tollgate::testing::route_logs_to_test_dir(argc > 0 ? argv[0] : "test");
  return Catch::Session().run(argc, argv);
}
