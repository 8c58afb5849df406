#pragma once
// The environment the test command prepares: log directory, services, secrets registry.
#include <optional>
#include <string>

namespace tollgate::testing {

// Sends this process's log lines to $TOLLGATE_TEST_LOG_DIR/<binary>-<pid>.log when set.
void route_logs_to_test_dir(const std::string& argv0);

// Records a secret used by a test; scripts/test greps every log of the run for each one.
void register_secret(const std::string& secret);

// DATABASE_URL / REDIS_URL exported by scripts/test (nullopt when run outside it).
std::optional<std::string> postgres_url();
std::optional<std::string> redis_url();

// A fresh, unique temporary directory (removed by the OS cleaner, not by us).
std::string temp_dir();

}  // namespace tollgate::testing
