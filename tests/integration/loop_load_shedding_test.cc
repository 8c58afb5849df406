// Shedding on a loaded event loop over real sockets: a server whose only I/O thread runs behind
// (each request blocks it for 20 ms; general_settings.max_event_loop_delay_ms) or is kept busy
// (each request spins it for 2 ms; general_settings.max_event_loop_utilization) answers part of
// the requests 503 gateway_overloaded with retry-after instead of queueing them, counts them
// under reason="queue_delay", keeps answering probes, and admits again once the load stops.
// Without the settings nothing is shed. A loop that polls for work after each request
// (general_settings.event_loop_poll_us) counts that polling as idle, not busy.
#include <catch2/catch.hpp>

#include <prometheus/registry.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "http/io_threads.h"
#include "http/router.h"
#include "http/server.h"
#include "telemetry/overload_metrics.h"
#include "tests/support/http_client.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

void no_work() {}

// Blocks the loop: the next handlers wait behind it, and the thread sleeps (it is not busy).
void block_20ms() { std::this_thread::sleep_for(20ms); }

// Keeps the loop's thread running (busy), as CPU-bound work would.
void spin_2ms() {
  const auto end = std::chrono::steady_clock::now() + 2ms;
  while (std::chrono::steady_clock::now() < end) {
  }
}

struct BusyServer {
  explicit BusyServer(std::chrono::milliseconds max_delay, double max_utilization = 0, void (*work)() = block_20ms,
                      std::chrono::microseconds poll_for = {})
      : io(1, poll_for), overload(registry) {
    router.add(http::Method::get, "/busy", [work](const http::ExchangePtr& exchange) {
      work();
      exchange->respond(http::text_response(200, "done"));
    });
    router.add(http::Method::get, "/health/liveliness",
               [](const http::ExchangePtr& exchange) { exchange->respond(http::text_response(200, "alive")); });
    http::ServerOptions options;
    options.port = 0;
    options.max_event_loop_delay = max_delay;
    options.max_event_loop_utilization = max_utilization;
    options.overload = &overload;
    server = std::make_unique<http::Server>(options, router, nullptr, io);
    server->start();
    io.start();
  }
  ~BusyServer() { io.stop(); }

  double shed_queue_delay() const {
    for (const auto& family : registry.Collect()) {
      for (const auto& metric : family.metric) {
        for (const auto& label : metric.label) {
          if (label.name == "reason" && label.value == "queue_delay") return metric.counter.value;
        }
      }
    }
    return 0;
  }

  http::IoThreads io;
  http::Router router;
  prometheus::Registry registry;
  telemetry::OverloadMetrics overload;
  std::unique_ptr<http::Server> server;
};

struct Tally {
  std::atomic<int> ok{0};
  std::atomic<int> shed{0};
  std::atomic<int> other{0};
  std::atomic<int> probes_ok{0};
};

// Eight clients request /busy back to back for `length`; one more polls the liveness probe.
void load(std::uint16_t port, std::chrono::milliseconds length, Tally& tally) {
  const auto end = std::chrono::steady_clock::now() + length;
  std::vector<std::future<void>> clients;
  for (int c = 0; c < 8; ++c) {
    clients.push_back(std::async(std::launch::async, [&, port] {
      while (std::chrono::steady_clock::now() < end) {
        const auto reply = http_request(port, "GET", "/busy");
        if (reply.status == 200) {
          ++tally.ok;
        } else if (reply.status == 503 && reply.header("retry-after") == "1" &&
                   reply.body.find(R"("code":"gateway_overloaded")") != std::string::npos &&
                   reply.body.find("max_event_loop_utilization") != std::string::npos) {  // both settings named
          ++tally.shed;
        } else {
          ++tally.other;
        }
      }
    }));
  }
  clients.push_back(std::async(std::launch::async, [&, port] {
    while (std::chrono::steady_clock::now() < end) {
      if (http_request(port, "GET", "/health/liveliness").status == 200) ++tally.probes_ok;
      std::this_thread::sleep_for(50ms);
    }
  }));
  for (auto& c : clients) c.get();
}

// Under 1.5 s of load the server sheds part of the requests and serves the rest, every refusal
// counted and every probe answered; once the load is gone it admits again.
void check_sheds_then_admits(BusyServer& s) {
  Tally tally;
  load(s.server->port(), 1500ms, tally);
  INFO("ok " << tally.ok << " shed " << tally.shed << " other " << tally.other);
  CHECK(tally.shed > 0);
  CHECK(tally.ok > 0);
  CHECK(tally.other == 0);
  CHECK(tally.probes_ok > 0);
  CHECK(s.shed_queue_delay() == Approx(tally.shed.load()));
  std::this_thread::sleep_for(300ms);  // the share falls back to nothing within ~100 ms
  CHECK(http_request(s.server->port(), "GET", "/busy").status == 200);
}

}  // namespace

TEST_CASE("a loop running behind sheds new requests with 503, counted, probes answer, it admits again after",
          "[integration][overload]") {
  BusyServer s(5ms);
  check_sheds_then_admits(s);
}

TEST_CASE("a loop busier than max_event_loop_utilization sheds with 503, counted, it admits again after",
          "[integration][overload]") {
  BusyServer s(0ms, 0.5, spin_2ms);
  check_sheds_then_admits(s);
}

TEST_CASE("without the settings a loaded loop queues instead of shedding", "[integration][overload]") {
  BusyServer s(0ms);
  Tally tally;
  load(s.server->port(), 600ms, tally);
  CHECK(tally.shed == 0);
  CHECK(tally.other == 0);
  CHECK(tally.ok > 0);
  CHECK(s.shed_queue_delay() == 0);
  BusyServer spinning(0ms, 0, spin_2ms);
  Tally spun;
  load(spinning.server->port(), 600ms, spun);
  CHECK(spun.shed == 0);
  CHECK(spun.ok > 0);
}

TEST_CASE("a polling loop busier than max_event_loop_utilization still sheds, and admits again after",
          "[integration][overload]") {
  BusyServer s(0ms, 0.5, spin_2ms, 1000us);
  check_sheds_then_admits(s);
}

// One client, a request every 2 ms: a loop polling 5 ms after each request never sleeps, so the
// kernel sees its thread running all the time; only the polling subtracted from that keeps the
// utilization low and nothing shed.
TEST_CASE("a polling loop under light load is idle, not busy: nothing is shed", "[integration][overload]") {
  BusyServer s(0ms, 0.5, no_work, 5000us);
  const auto end = std::chrono::steady_clock::now() + 1s;
  int ok = 0, other = 0;
  while (std::chrono::steady_clock::now() < end) {
    (http_request(s.server->port(), "GET", "/busy").status == 200 ? ok : other)++;
    std::this_thread::sleep_for(2ms);
  }
  INFO("ok " << ok << " other " << other);
  CHECK(ok > 100);
  CHECK(other == 0);
  CHECK(s.shed_queue_delay() == 0);
}
