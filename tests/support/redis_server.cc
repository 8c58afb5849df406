#include "tests/support/redis_server.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "persistence/redis_connection.h"
#include "tests/support/spawn.h"

namespace tollgate::testing {

RedisServer::RedisServer() : port_(free_port()) { start(); }

RedisServer::~RedisServer() { kill_now(); }

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

void RedisServer::start() {
  pid_ = spawn_quiet(
      {"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"});
  persistence::RedisAddress address;
  address.port = port_;
  for (int i = 0; i < 200; ++i) {
    if (persistence::connect_redis(address, std::chrono::milliseconds(100))) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("redis-server did not start");
}

void RedisServer::kill_now() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace tollgate::testing
