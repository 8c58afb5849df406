#include "http/loop_load.h"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <optional>

using tollgate::http::loop_sheds_here;
using tollgate::http::LoopLoadMonitor;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Runs `work` as one handler on a loop whose monitor holds the delay under 1 ms (its timer is
// armed a period ahead when `work` starts), then stops the monitor and lets its timer finish.
template <typename Work>
void on_monitored_loop(Work work) {
  boost::asio::io_context loop;
  std::optional<LoopLoadMonitor> monitor;
  monitor.emplace(loop, tollgate::core::ShedShare::Targets{1ms, 0});
  boost::asio::post(loop, work);  // after the sampler's start, posted by the monitor
  loop.run_one();
  loop.run_one();
  monitor.reset();
  loop.run();
}

// The share of `loop_sheds_here()` calls that refuse, made one every 5 µs over `span` while the
// loop's thread is held (a handler that keeps working: the sampler's timer cannot fire).
double refused_while_held(Clock::duration span) {
  int calls = 0;
  int refused = 0;
  const auto end = Clock::now() + span;
  for (auto next = Clock::now(); next < end; next += 5us) {
    while (Clock::now() < next) {
    }
    ++calls;
    refused += loop_sheds_here() ? 1 : 0;
  }
  return calls ? static_cast<double>(refused) / calls : 0;
}

}  // namespace

TEST_CASE("requests that find the loop's timer overdue raise the shed share before it fires", "[unit][overload]") {
  SECTION("a loop held far past its target refuses most of what it handles meanwhile") {
    double late_share = 0;
    on_monitored_loop([&] {
      refused_while_held(20ms);  // the delay grows past the target: the share climbs
      late_share = refused_while_held(10ms);
    });
    CHECK(late_share > 0.5);
  }
  SECTION("a loop that keeps up refuses nothing") {
    double share = 1;
    Clock::duration took{};
    on_monitored_loop([&] {
      const auto start = Clock::now();
      share = refused_while_held(500us);
      took = Clock::now() - start;
    });
    // Unless the machine took the thread away for longer than the target meanwhile.
    if (took < 1ms) CHECK(share == 0.0);
  }
  SECTION("one stall, then a request, does not refuse everything") {
    double share = 1;
    on_monitored_loop([&] {
      const auto end = Clock::now() + 50ms;
      while (Clock::now() < end) {
      }
      share = refused_while_held(500us);  // within a period of the first sample after the stall
    });
    CHECK(share < 0.5);
  }
  SECTION("no monitor, nothing refused") { CHECK_FALSE(loop_sheds_here()); }
}
