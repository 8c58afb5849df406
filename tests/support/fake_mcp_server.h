#pragma once
// A minimal MCP server over Streamable HTTP (JSON answers) on a free loopback port, for the
// gateway's integration tests: it speaks enough of the protocol (initialize with a session id,
// tools/list with `echo` and `add`, tools/call) and records what it received, or misbehaves on
// purpose (never answers, answers garbage).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tollgate::testing {

class FakeMcpServer {
 public:
  enum class Mode { mcp, silent, garbage };
  explicit FakeMcpServer(Mode mode = Mode::mcp);
  ~FakeMcpServer();
  FakeMcpServer(const FakeMcpServer&) = delete;
  FakeMcpServer& operator=(const FakeMcpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

  struct Received {
    std::string head;  // request line and headers as sent
    std::string body;
  };
  std::vector<Received> received() const;

 private:
  void serve();
  void handle(int fd);
  std::string answer(const std::string& body, std::string& extra_headers);

  Mode mode_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::vector<std::thread> connections_;
  std::vector<int> open_fds_;
};

}  // namespace tollgate::testing
