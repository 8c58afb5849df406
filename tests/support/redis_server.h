#pragma once
// A redis-server of one test alone, on its own port, so that the test can kill it (as a crash)
// and start it again on the same port.
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace tollgate::testing {

class RedisServer {
 public:
  RedisServer();  // started; throws std::runtime_error when it does not answer
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::string url() const;

  // Starts it again (after kill_now) on the same port; waits until it answers.
  void start();
  // SIGKILL: no goodbye to its clients and subscribers.
  void kill_now();

 private:
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace tollgate::testing
