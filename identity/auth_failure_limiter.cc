#include "identity/auth_failure_limiter.h"

#include <functional>

namespace tollgate::identity {

AuthFailureLimiter::Shard& AuthFailureLimiter::shard(const std::string& address) {
  return shards_[std::hash<std::string>{}(address) % shards_.size()];
}

bool AuthFailureLimiter::blocked(const std::string& address, Clock::time_point now) {
  auto& s = shard(address);
  std::lock_guard lock(s.mutex);
  const auto it = s.counters.find(address);
  if (it == s.counters.end()) return false;
  if (now - it->second.window_start >= window_) {
    s.counters.erase(it);
    return false;
  }
  return it->second.failures >= max_failures_;
}

void AuthFailureLimiter::record_failure(const std::string& address, Clock::time_point now) {
  auto& s = shard(address);
  std::lock_guard lock(s.mutex);
  auto& counter = s.counters[address];
  if (counter.failures == 0 || now - counter.window_start >= window_) {
    counter.window_start = now;
    counter.failures = 0;
  }
  ++counter.failures;
  if (s.counters.size() > 10'000) {
    // Bounded memory under a spray of addresses: forget windows that have passed.
    for (auto it = s.counters.begin(); it != s.counters.end();) {
      it = now - it->second.window_start >= window_ ? s.counters.erase(it) : std::next(it);
    }
  }
}

}  // namespace tollgate::identity
