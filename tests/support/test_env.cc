#include "tests/support/test_env.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>

#include "telemetry/log.h"

namespace tollgate::testing {

void route_logs_to_test_dir(const std::string& argv0) {
  const char* dir = std::getenv("TOLLGATE_TEST_LOG_DIR");
  if (dir == nullptr || *dir == '\0') {
    return;
  }
  const auto slash = argv0.rfind('/');
  const std::string name = slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
  telemetry::Logger::instance().set_output_file(std::string(dir) + "/" + name + "-" + std::to_string(getpid()) +
                                                ".log");
  telemetry::Logger::instance().set_level(telemetry::LogLevel::debug);
}

void register_secret(const std::string& secret) {
  static std::mutex mutex;
  const char* dir = std::getenv("TOLLGATE_TEST_LOG_DIR");
  if (dir == nullptr || *dir == '\0') {
    return;
  }
  std::lock_guard lock(mutex);
  std::ofstream out(std::string(dir) + "/secrets.txt", std::ios::app);
  out << secret << "\n";
}

namespace {
std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}
}  // namespace

std::optional<std::string> postgres_url() { return env("DATABASE_URL"); }
std::optional<std::string> redis_url() { return env("REDIS_URL"); }

std::string temp_dir() {
  // Inside the run's log directory when there is one, so scripts/check-secrets also reads
  // what spawned processes wrote.
  const char* logs = std::getenv("TOLLGATE_TEST_LOG_DIR");
  std::string pattern = std::string(logs && *logs ? logs : "/tmp") + "/tollgate-test.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::abort();
  }
  return pattern;
}

}  // namespace tollgate::testing
