#include "proxy/deployment_health.h"

namespace tollgate::proxy {

std::int64_t DeploymentHealth::minute_of(Clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
}

void DeploymentHealth::roll_minute(Clock::time_point now) {
  const auto current = minute_of(now);
  auto seen = minute_.load(std::memory_order_relaxed);
  if (seen == current) return;
  // One thread wins the roll-over and zeroes the counters; a few increments racing with it
  // may land in either minute, which is fine for routing and cooldown heuristics.
  if (minute_.compare_exchange_strong(seen, current, std::memory_order_relaxed)) {
    minute_requests_.store(0, std::memory_order_relaxed);
    minute_tokens_.store(0, std::memory_order_relaxed);
    minute_failures_.store(0, std::memory_order_relaxed);
  }
}

core::DeploymentView DeploymentHealth::view(Clock::time_point now) const {
  core::DeploymentView v;
  v.weight = weight_;
  v.rpm_limit = rpm_limit_;
  v.tpm_limit = tpm_limit_;
  v.in_flight = in_flight_.load(std::memory_order_relaxed);
  v.latency_ms = static_cast<double>(latency_us_.load(std::memory_order_relaxed)) / 1000.0;
  const bool this_minute = minute_.load(std::memory_order_relaxed) == minute_of(now);
  v.minute_requests = this_minute ? minute_requests_.load(std::memory_order_relaxed) : 0;
  v.minute_tokens = this_minute ? minute_tokens_.load(std::memory_order_relaxed) : 0;
  v.cooling_down = cooling_down(now);
  return v;
}

void DeploymentHealth::attempt_started(Clock::time_point now) {
  roll_minute(now);
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  minute_requests_.fetch_add(1, std::memory_order_relaxed);
}

void DeploymentHealth::attempt_succeeded(std::chrono::microseconds latency, std::int64_t tokens,
                                         Clock::time_point now) {
  roll_minute(now);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  minute_tokens_.fetch_add(tokens, std::memory_order_relaxed);
  const auto sample = static_cast<std::int64_t>(latency.count());
  auto old = latency_us_.load(std::memory_order_relaxed);
  // EWMA with alpha = 1/8; the first sample seeds the average.
  std::int64_t next = old == 0 ? sample : old + (sample - old) / 8;
  if (next == 0) next = 1;
  latency_us_.store(next, std::memory_order_relaxed);
}

int DeploymentHealth::attempt_failed(Clock::time_point now) {
  roll_minute(now);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  return minute_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
}

void DeploymentHealth::attempt_cancelled() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

void DeploymentHealth::cool_down_until(Clock::time_point until) {
  cooldown_until_.store(until.time_since_epoch().count(), std::memory_order_relaxed);
}

bool DeploymentHealth::cooling_down(Clock::time_point now) const {
  return now.time_since_epoch().count() < cooldown_until_.load(std::memory_order_relaxed);
}

}  // namespace tollgate::proxy
