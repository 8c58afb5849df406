#pragma once
// Live state of one deployment, read by every routing decision and updated by every attempt:
// in-flight count, latency average, this minute's requests/tokens/failures, cooldown.
//
// Plain atomics rather than an actor on purpose: the router reads this on every request, and
// an actor round-trip would add two thread hops to the hot path for no gain in correctness
// (each field is independent; a routing decision only needs a recent view).
#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/routing.h"

namespace tollgate::proxy {

class DeploymentHealth {
 public:
  using Clock = std::chrono::steady_clock;

  DeploymentHealth(double weight, std::int64_t rpm_limit, std::int64_t tpm_limit)
      : weight_(weight), rpm_limit_(rpm_limit), tpm_limit_(tpm_limit) {}

  core::DeploymentView view(Clock::time_point now) const;

  void attempt_started(Clock::time_point now);
  void attempt_succeeded(std::chrono::microseconds latency, std::int64_t tokens, Clock::time_point now);
  // Returns the failures counted in the current minute, this one included.
  int attempt_failed(Clock::time_point now);
  // The client hung up mid-attempt: the attempt ends without counting as a failure.
  void attempt_cancelled();
  void cool_down_until(Clock::time_point until);
  bool cooling_down(Clock::time_point now) const;
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  // Rolls the per-minute counters over when a new minute starts.
  void roll_minute(Clock::time_point now);
  static std::int64_t minute_of(Clock::time_point now);

  const double weight_;
  const std::int64_t rpm_limit_;
  const std::int64_t tpm_limit_;
  std::atomic<int> in_flight_{0};
  std::atomic<std::int64_t> latency_us_{0};  // exponential moving average, 0 = no sample
  std::atomic<std::int64_t> minute_{-1};
  std::atomic<std::int64_t> minute_requests_{0};
  std::atomic<std::int64_t> minute_tokens_{0};
  std::atomic<int> minute_failures_{0};
  std::atomic<std::int64_t> cooldown_until_{0};  // steady-clock ticks
};

}  // namespace tollgate::proxy
