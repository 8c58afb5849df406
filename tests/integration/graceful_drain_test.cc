// Graceful shutdown of the HTTP server: in-flight requests finish, new ones are refused.
#include <catch2/catch.hpp>

#include <future>
#include <mutex>
#include <thread>

#include "http/io_threads.h"
#include "http/router.h"
#include "http/server.h"
#include "tests/support/http_client.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

// A server whose only route answers from another thread after `delay` (like an upstream
// call). The answering threads are joined before the I/O threads stop, so no answer is ever
// handed to an io_context that no longer exists.
struct SlowServer {
  explicit SlowServer(std::chrono::milliseconds delay) : io(2) {
    router.add(http::Method::get, "/slow", [this, delay](const http::ExchangePtr& exchange) {
      std::lock_guard lock(mutex);
      responders.emplace_back([exchange, delay] {
        std::this_thread::sleep_for(delay);
        exchange->respond(http::text_response(200, "finished"));
      });
    });
    http::ServerOptions options;
    options.port = 0;
    server = std::make_unique<http::Server>(options, router, nullptr, io);
    server->start();
    io.start();
  }
  ~SlowServer() {
    {
      std::lock_guard lock(mutex);
      for (auto& t : responders) t.join();
    }
    io.stop();
  }
  http::IoThreads io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::mutex mutex;
  std::vector<std::thread> responders;
};

}  // namespace

TEST_CASE("drain lets an in-flight request finish", "[integration][shutdown]") {
  SlowServer s(400ms);
  const auto port = s.server->port();
  auto pending = std::async(std::launch::async, [port] { return http_request(port, "GET", "/slow"); });
  while (s.server->in_flight_requests() == 0) std::this_thread::sleep_for(5ms);
  const bool clean = s.server->drain(std::chrono::steady_clock::now() + 5s);
  CHECK(clean);
  const auto reply = pending.get();
  CHECK(reply.status == 200);
  CHECK(reply.body == "finished");
  CHECK(reply.header("connection") == "close");
  CHECK_THROWS(http_request(port, "GET", "/slow"));  // no longer accepting
}

TEST_CASE("drain gives up at the deadline", "[integration][shutdown]") {
  SlowServer s(1500ms);
  const auto port = s.server->port();
  auto pending = std::async(std::launch::async, [port] {
    try {
      return http_request(port, "GET", "/slow").status;
    } catch (const std::exception&) {
      return -1;  // connection closed without a response
    }
  });
  while (s.server->in_flight_requests() == 0) std::this_thread::sleep_for(5ms);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(s.server->drain(start + 300ms));
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  CHECK(pending.get() == -1);
}

TEST_CASE("gateway shutdown is clean and stops accepting", "[integration][shutdown]") {
  TestGateway gw(R"(
model_list:
  - model_name: m
    litellm_params: {model: mock/m}
)");
  // The mock answers instantly, so shut down right after a request completes and check the
  // server then refuses connections and reports a clean drain.
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions",
                     R"({"model":"m","messages":[{"role":"user","content":"x"}]})", bearer(gw.master_key()))
            .status == 200);
  CHECK(gw.shutdown());
  CHECK_THROWS(http_request(gw.port(), "GET", "/health/liveliness"));
}
