#include "http/loop_delay.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/standing_queue.h"

namespace tollgate::http {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
// CoDel's interval: long enough for a burst to drain, short enough to react within a blink.
constexpr auto kInterval = std::chrono::milliseconds(100);
// Written only by the sampler running on this thread, read by this thread's sessions.
thread_local bool overloaded_here = false;
}  // namespace

struct LoopDelayMonitor::Sampler : std::enable_shared_from_this<Sampler> {
  Sampler(net::io_context& loop, std::chrono::milliseconds target)
      : timer(loop),
        period(std::clamp<Clock::duration>(target / 2, std::chrono::milliseconds(1), std::chrono::milliseconds(10))),
        queue(target, kInterval) {}

  void arm() {
    due = Clock::now() + period;
    timer.expires_at(due);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->fire(ec); });
  }

  void fire(boost::system::error_code ec) {
    if (ec || stopped.load(std::memory_order_acquire)) {
      overloaded_here = false;
      return;
    }
    const auto now = Clock::now();
    queue.sample(now - due, now);
    overloaded_here = queue.standing();
    arm();
  }

  net::steady_timer timer;
  Clock::duration period;
  core::StandingQueue queue;
  Clock::time_point due{};
  std::atomic<bool> stopped{false};
};

LoopDelayMonitor::LoopDelayMonitor(net::io_context& loop, std::chrono::milliseconds target)
    : sampler_(std::make_shared<Sampler>(loop, target)) {
  net::post(loop, [sampler = sampler_] { sampler->arm(); });
}

LoopDelayMonitor::~LoopDelayMonitor() { sampler_->stopped.store(true, std::memory_order_release); }

bool loop_overloaded_here() { return overloaded_here; }

}  // namespace tollgate::http
