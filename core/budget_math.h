#pragma once
// The arithmetic of exact budgets and rate limits, free of I/O so it can be tested as tables.
//
// Budgets reserve the worst case before the provider is called and settle the real cost after:
//   admit  ⇔  spend + reserved + worst_case ≤ max_budget
// so any number of concurrent requests can never spend more than max_budget in total.
//
// Rate limits use an exact sliding window of 60 s: a request is counted at admission; tokens
// are counted when the call settles, and in-flight requests count with their estimate until
// then. rpm: admit ⇔ requests in the last 60 s < rpm_limit. tpm: admit ⇔ tokens settled in
// the last 60 s + tokens reserved by in-flight requests + this request's estimate ≤ tpm_limit.
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace tollgate::core {

using Clock = std::chrono::steady_clock;

// Worst-case cost of a request before it runs.
struct CostEstimate {
  std::int64_t prompt_tokens = 0;      // the most the provider can charge (core/token_bound.h)
  std::int64_t max_output_tokens = 0;  // likewise: max_tokens, else the model's maximum output
  double input_price = 0;
  double output_price = 0;
  double worst_case() const {
    return static_cast<double>(prompt_tokens) * input_price + static_cast<double>(max_output_tokens) * output_price;
  }
};

// Remaining budget room; negative when over.
inline double budget_room(double max_budget, double spend, double reserved) { return max_budget - spend - reserved; }
inline bool fits_budget(double max_budget, double spend, double reserved, double cost) {
  // A tiny tolerance keeps floating-point sums of exactly-equal costs from flipping a decision.
  return spend + reserved + cost <= max_budget * (1 + 1e-12) + 1e-15;
}

// Sliding 60-second window of events (requests, or tokens with their count). An event can be
// withdrawn (a request admitted by the key but then refused by its team never happened).
class SlidingWindow {
 public:
  explicit SlidingWindow(std::chrono::milliseconds length = std::chrono::seconds(60)) : length_(length) {}

  // Returns a handle for cancel(). Events must be added in time order.
  std::uint64_t add(Clock::time_point at, std::int64_t amount = 1);
  void cancel(std::uint64_t handle);
  // Total in the window ending at `now` (older events are dropped).
  std::int64_t total(Clock::time_point now);
  // When the total will next drop (the oldest event leaves); now when empty.
  Clock::time_point next_expiry(Clock::time_point now);
  std::chrono::milliseconds length() const { return length_; }

 private:
  void evict(Clock::time_point now);
  std::chrono::milliseconds length_;
  // events_[head_..] are in the window. A vector, not a deque: libstdc++'s deque allocates
  // ~600 bytes even when empty, and every key, team, user and organization has windows.
  std::vector<std::pair<Clock::time_point, std::int64_t>> events_;
  std::size_t head_ = 0;
  std::uint64_t front_handle_ = 0;  // handle of events_[head_]
  std::int64_t total_ = 0;
};

// The ids of the reservations (a map of id → a value with `expires`) whose expiry has come.
template <typename Reservations>
std::vector<std::uint64_t> expired_reservations(const Reservations& reservations, Clock::time_point now) {
  std::vector<std::uint64_t> expired;
  for (const auto& [id, r] : reservations) {
    if (r.expires <= now) expired.push_back(id);
  }
  return expired;
}

// Seconds to tell a client in retry-after (at least 1).
int retry_after_seconds(Clock::time_point now, Clock::time_point available_at);

// Next reset after `now` for a budget_duration of `period`, keeping the schedule anchored at
// `previous_reset` (a gateway that was down for several periods skips the missed ones).
std::int64_t next_reset_ms(std::int64_t previous_reset_ms, std::int64_t period_ms, std::int64_t now_ms);

}  // namespace tollgate::core
