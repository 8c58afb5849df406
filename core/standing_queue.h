#pragma once
// Is a queue standing (overloaded) or only absorbing a burst? CoDel's test (Nichols & Jacobson,
// "Controlling Queue Delay", 2012): a burst drains within an interval, so some sample in it is
// short; when even the shortest delay seen over a whole interval exceeds the target, work is
// arriving faster than it leaves and waiting longer will not help. The gateway samples how late
// each I/O thread's event loop runs a timer (http/loop_delay.*) and sheds new requests while that
// loop's queue stands. Pure arithmetic on the samples given; the caller owns the clock.
#include <chrono>

namespace tollgate::core {

class StandingQueue {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  StandingQueue(Duration target, Duration interval) : target_(target), interval_(interval) {}

  // One delay measured at `now`. The verdict changes only when an interval closes: standing when
  // every sample of that interval exceeded the target, not standing otherwise.
  void sample(Duration delay, TimePoint now);
  bool standing() const { return standing_; }

 private:
  Duration target_;
  Duration interval_;
  bool window_open_ = false;
  TimePoint window_start_{};
  Duration shortest_{};
  bool standing_ = false;
};

}  // namespace tollgate::core
