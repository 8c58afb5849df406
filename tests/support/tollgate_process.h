#pragma once
// The `tollgate` binary run as a child process (integration tests only: TOLLGATE_BINARY).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tollgate::testing {

struct TollgateProcess {
  pid_t pid = -1;
  std::string dir;  // working directory: config.yaml, stdout, stderr
  std::string out() const;
  std::string err() const;
};

// Starts `tollgate --config <dir>/config.yaml --port 0` with this process's environment minus
// TOLLGATE_MASTER_KEY, DATABASE_URL, REDIS_URL and PORT, plus `extra_env` ("NAME=value").
TollgateProcess spawn_tollgate(const std::string& config_text, std::vector<std::string> extra_env = {},
                               std::vector<std::string> extra_args = {});

// The exit status (128 + signal when killed), or -1 after killing it when `timeout` passed.
int wait_exit(pid_t pid, std::chrono::milliseconds timeout);

// The port it printed on stdout ("Tollgate listening on http://127.0.0.1:N"); fails the test
// when it did not start within 5 s.
std::uint16_t wait_for_port(const TollgateProcess& p);

}  // namespace tollgate::testing
