#include "http/loop_load.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "http/polling_loop.h"

namespace tollgate::http {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
// This thread's loop, kept on the thread itself (each I/O thread runs one loop and at most one
// sampler): written by the sampler's timer and by the requests that find that timer overdue, read
// by this thread's sessions.
struct LoopHere {
  std::optional<core::ShedShare> share;  // none where no sampler runs
  Clock::duration period{};
  Clock::time_point due{};  // when the sampler's timer is due
  Clock::time_point last_sample{};
  double shed_share = 0;
};
thread_local LoopHere loop_here;
thread_local std::uint64_t dice_here = 0x9e3779b97f4a7c15ULL;

void sample_delay_here(Clock::time_point now) {
  loop_here.share->sample_delay(now - loop_here.due, now - loop_here.last_sample);
  loop_here.last_sample = now;
  loop_here.shed_share = loop_here.share->share();
}

// A request handled while the sampler's timer is overdue by a period or more measures the delay
// before the timer's handler can: the timer waits behind every handler the loop has queued, so
// at the onset of an overload it fires after a whole pass over the ready connections (5-15 ms at
// twice the capacity, bench/overload), and every request of that pass would be admitted into
// the growing queue. A sample a period, and the share follows the delay as it grows.
void observe_overdue_timer() {
  if (!loop_here.share) return;
  const auto now = Clock::now();
  if (now - loop_here.due >= loop_here.period && now - loop_here.last_sample >= loop_here.period) {
    sample_delay_here(now);
  }
}

// xorshift64*: a draw costs a few instructions and needs no lock (each thread its own state).
double roll() {
  dice_here ^= dice_here >> 12;
  dice_here ^= dice_here << 25;
  dice_here ^= dice_here >> 27;
  return static_cast<double>((dice_here * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
}

// Half the target delay: several samples while a queue builds; at least 1 ms apart (a sample
// wakes an idle loop, a few µs of system calls on a VM, so 1,000 a second is ~1% of a core) and
// at most 10 ms (a blink to react). Without a target delay, 5 ms: the busy time is read every 10.
Clock::duration sampling_period(Clock::duration target_delay) {
  if (target_delay.count() <= 0) return std::chrono::milliseconds(5);
  return std::clamp<Clock::duration>(target_delay / 2, std::chrono::milliseconds(1), std::chrono::milliseconds(10));
}

// Busy time is read this often: a read of /proc costs a couple of µs.
constexpr auto kBusyPeriod = std::chrono::milliseconds(10);

// The calling thread's time running or runnable (waiting for a CPU), from the scheduler's
// statistics (/proc/thread-self/schedstat: "run_ns wait_ns slices"), less the time its loop
// spent polling and finding nothing (http/polling_loop.h): the kernel counts that as running,
// but it is idle time a request can have at once. Opened on the thread it describes; nothing
// where the kernel keeps no statistics.
class ThreadBusyClock {
 public:
  ThreadBusyClock() : fd_(::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)) {}
  ~ThreadBusyClock() {
    if (fd_ >= 0) ::close(fd_);
  }
  ThreadBusyClock(const ThreadBusyClock&) = delete;
  ThreadBusyClock& operator=(const ThreadBusyClock&) = delete;

  std::optional<std::chrono::nanoseconds> now() const {
    char text[96];
    const auto n = fd_ < 0 ? -1 : ::pread(fd_, text, sizeof text - 1, 0);
    if (n <= 0) return std::nullopt;
    text[n] = '\0';
    char* end = nullptr;
    const auto run = std::strtoull(text, &end, 10);
    const auto wait = std::strtoull(end, nullptr, 10);
    return std::chrono::nanoseconds(run + wait) - idle_polling_here();
  }

 private:
  int fd_;
};
}  // namespace

struct LoopLoadMonitor::Sampler : std::enable_shared_from_this<Sampler> {
  Sampler(net::io_context& loop, core::ShedShare::Targets targets)
      : timer(loop), targets(targets), period(sampling_period(targets.delay)), measure_busy(targets.busy > 0) {}

  void start() {
    dice_here ^= reinterpret_cast<std::uintptr_t>(this);  // threads draw different sequences
    loop_here = LoopHere{};
    loop_here.share.emplace(targets, period);
    loop_here.period = period;
    loop_here.last_sample = Clock::now();
    if (measure_busy) {
      busy_clock.emplace();
      busy_mark = busy_clock->now();
      busy_wall_mark = Clock::now();
    }
    arm();
  }

  void arm() {
    loop_here.due = Clock::now() + period;
    timer.expires_at(loop_here.due);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->fire(ec); });
  }

  void fire(boost::system::error_code ec) {
    if (ec || stopped.load(std::memory_order_acquire)) {
      loop_here = LoopHere{};
      return;
    }
    const auto now = Clock::now();
    if (busy_mark && now - busy_wall_mark >= kBusyPeriod) sample_busy(now);
    sample_delay_here(now);
    arm();
  }

  void sample_busy(Clock::time_point now) {
    const auto busy = busy_clock->now();
    if (!busy) return;
    const double wall = std::chrono::duration<double>(now - busy_wall_mark).count();
    loop_here.share->sample_busy(std::chrono::duration<double>(*busy - *busy_mark).count() / wall);
    busy_mark = busy;
    busy_wall_mark = now;
  }

  net::steady_timer timer;
  core::ShedShare::Targets targets;
  Clock::duration period;
  bool measure_busy;
  std::optional<ThreadBusyClock> busy_clock;
  std::optional<std::chrono::nanoseconds> busy_mark;
  Clock::time_point busy_wall_mark{};
  std::atomic<bool> stopped{false};
};

LoopLoadMonitor::LoopLoadMonitor(net::io_context& loop, core::ShedShare::Targets targets)
    : sampler_(std::make_shared<Sampler>(loop, targets)) {
  net::post(loop, [sampler = sampler_] { sampler->start(); });
}

LoopLoadMonitor::~LoopLoadMonitor() { sampler_->stopped.store(true, std::memory_order_release); }

bool loop_sheds_here() {
  observe_overdue_timer();
  return loop_here.shed_share > 0 && roll() < loop_here.shed_share;
}

}  // namespace tollgate::http
