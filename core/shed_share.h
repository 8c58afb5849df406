#pragma once
// What share of new requests an I/O thread refuses so that its event loop keeps up: a
// proportional-integral controller, as PIE (RFC 8033) drives a router queue's delay to a
// reference, over two measures of the loop (http/loop_delay.*):
// - how late a timer on the loop fires (the handlers queued ahead of it), held under a target
//   delay: it catches a loop held up by a blocking handler or a CPU taken away;
// - how much of the time the loop's thread is busy (running, or runnable and waiting for a
//   CPU), held under a target fraction: it keeps idle time in the loop, without which a request
//   waits for a whole pass over every ready connection and any stall (a page-fault burst, a
//   throttled CPU) can never be caught up.
// The share grows with the larger of the two excesses and falls when both are under.
//
// Why a share and not "refuse everything while a queue stands" (CoDel's verdict, used before):
// at twice capacity over keep-alive connections, refusing all and admitting all alternate, and
// while everything is admitted the loop falls behind at once. The share settles where the
// admitted work plus the cost of refusing the rest fits the loop with idle time left, which is
// what keeps the admitted requests near their unloaded latency (bench/overload).
// Pure arithmetic on the samples given; the caller owns the clock and the dice.
#include <chrono>

namespace tollgate::core {

class ShedShare {
 public:
  using Duration = std::chrono::steady_clock::duration;

  struct Targets {
    Duration delay{0};  // 0: the delay is not held
    double busy = 0;    // a fraction in (0, 1); 0 (or 1 and above): the busy time is not held
  };

  // `period`: the time between two delay samples (the controller's step).
  ShedShare(Targets targets, Duration period);

  // One measured delay, `period + delay` after the previous one (the timer was armed `period`
  // ahead and fired `delay` late): a step of the controller.
  void sample_delay(Duration delay);
  // One measured delay, `since_previous` after the previous sample: a timer still overdue by
  // `delay`, seen before its handler runs (by a request on the same loop), or a timer firing
  // soon after such a sample. The step weighs at most the time since the previous sample.
  void sample_delay(Duration delay, Duration since_previous);
  // The fraction of the time since the previous busy sample the loop's thread was busy; used by
  // the steps that follow.
  void sample_busy(double fraction);
  // In [0, 1]: 0 admits everything, 1 refuses everything.
  double share() const { return share_; }

 private:
  double error() const;

  Targets targets_;
  Duration period_duration_;
  double period_;           // seconds
  double delay_ = 0;        // smoothed, seconds
  double last_delay_ = 0;   // the previous sample's, seconds
  double busy_error_ = -1;  // of the latest busy sample, relative
  double integral_ = 0;
  double share_ = 0;
};

}  // namespace tollgate::core
