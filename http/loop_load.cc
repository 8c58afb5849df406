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
// Written only by the sampler running on this thread, read by this thread's sessions.
thread_local double shed_share_here = 0;
thread_local std::uint64_t dice_here = 0x9e3779b97f4a7c15ULL;

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
      : timer(loop), period(sampling_period(targets.delay)), share(targets, period), measure_busy(targets.busy > 0) {}

  void start() {
    dice_here ^= reinterpret_cast<std::uintptr_t>(this);  // threads draw different sequences
    if (measure_busy) {
      busy_clock.emplace();
      busy_mark = busy_clock->now();
      busy_wall_mark = Clock::now();
    }
    arm();
  }

  void arm() {
    due = Clock::now() + period;
    timer.expires_at(due);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->fire(ec); });
  }

  void fire(boost::system::error_code ec) {
    if (ec || stopped.load(std::memory_order_acquire)) {
      shed_share_here = 0;
      return;
    }
    const auto now = Clock::now();
    if (busy_mark && now - busy_wall_mark >= kBusyPeriod) sample_busy(now);
    share.sample_delay(now - due);
    shed_share_here = share.share();
    arm();
  }

  void sample_busy(Clock::time_point now) {
    const auto busy = busy_clock->now();
    if (!busy) return;
    const double wall = std::chrono::duration<double>(now - busy_wall_mark).count();
    share.sample_busy(std::chrono::duration<double>(*busy - *busy_mark).count() / wall);
    busy_mark = busy;
    busy_wall_mark = now;
  }

  net::steady_timer timer;
  Clock::duration period;
  core::ShedShare share;
  bool measure_busy;
  std::optional<ThreadBusyClock> busy_clock;
  std::optional<std::chrono::nanoseconds> busy_mark;
  Clock::time_point busy_wall_mark{};
  Clock::time_point due{};
  std::atomic<bool> stopped{false};
};

LoopLoadMonitor::LoopLoadMonitor(net::io_context& loop, core::ShedShare::Targets targets)
    : sampler_(std::make_shared<Sampler>(loop, targets)) {
  net::post(loop, [sampler = sampler_] { sampler->start(); });
}

LoopLoadMonitor::~LoopLoadMonitor() { sampler_->stopped.store(true, std::memory_order_release); }

bool loop_sheds_here() { return shed_share_here > 0 && roll() < shed_share_here; }

}  // namespace tollgate::http
