#pragma once
// The HTTP/1.1 front: one io_context per I/O thread (connections are spread round-robin and
// never change thread, so a connection needs no strand or lock), keep-alive, size and time
// limits, graceful drain.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace tollgate::telemetry {
class HttpMetrics;
class OverloadMetrics;
}  // namespace tollgate::telemetry

namespace tollgate::http {

class Router;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4000;  // 0 → any free port (see Server::port())
  int io_threads = 1;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // first byte → end of headers
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait, body and write progress
  std::size_t max_connections = 10'000;
  std::size_t max_in_flight_requests = 0;  // 0: no bound beyond max_connections
  // The delay an I/O thread's loop may run its work behind, and the fraction of the time it may
  // be busy: past either, that thread refuses a share of new requests with 503 at once, the share
  // growing until both hold (http/loop_load.h). 0: not held.
  std::chrono::microseconds max_event_loop_delay{0};
  double max_event_loop_utilization = 0;
  // Counts what the bounds refuse (optional; must outlive the server).
  telemetry::OverloadMetrics* overload = nullptr;
};

class IoThreads;

class Server {
 public:
  Server(ServerOptions options, const Router& router, telemetry::HttpMetrics* metrics, IoThreads& io);
  ~Server();

  // Binds and starts accepting; throws std::runtime_error when the address cannot be bound.
  void start();
  std::uint16_t port() const;

  // Stops accepting, closes idle keep-alive connections, lets in-flight requests finish until
  // `deadline`, then closes everything. Returns true when nothing was cut off.
  bool drain(std::chrono::steady_clock::time_point deadline);

  std::size_t open_connections() const;
  std::size_t in_flight_requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::http
