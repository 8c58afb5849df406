#pragma once
// Counts authentication failures per client address; after a burst the address gets 429s
// (without a key lookup) until its window passes. Blunts key guessing from one address.
#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tollgate::identity {

class AuthFailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  AuthFailureLimiter(int max_failures, std::chrono::seconds window) : max_failures_(max_failures), window_(window) {}

  // True when the address has failed too often recently: answer 429 without checking.
  bool blocked(const std::string& address, Clock::time_point now);
  void record_failure(const std::string& address, Clock::time_point now);
  std::chrono::seconds window() const { return window_; }

 private:
  struct Counter {
    Clock::time_point window_start;
    int failures = 0;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Counter> counters;
  };
  Shard& shard(const std::string& address);

  const int max_failures_;
  const std::chrono::seconds window_;
  std::array<Shard, 8> shards_;
};

}  // namespace tollgate::identity
