#pragma once
// The arithmetic of exact budgets and rate limits, free of I/O so it can be tested as tables.
//
// Budgets reserve the worst case before the provider is called and settle the real cost after:
//   admit  ⇔  spend + reserved + worst_case ≤ max_budget
// so any number of concurrent requests can never spend more than max_budget in total.
//
// Rate limits use a sliding window of 60 s in 1 s buckets (never below the exact count, see
// SlidingWindow): a request is counted at admission; tokens
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
  std::int64_t web_searches = 0;  // the most searches server-side tools may run (core/web_search.h)
  double web_search_fee = 0;      // the most one costs
  double worst_case() const {
    return static_cast<double>(prompt_tokens) * input_price + static_cast<double>(max_output_tokens) * output_price +
           static_cast<double>(web_searches) * web_search_fee;
  }
};

// Remaining budget room; negative when over.
inline double budget_room(double max_budget, double spend, double reserved) { return max_budget - spend - reserved; }
inline bool fits_budget(double max_budget, double spend, double reserved, double cost) {
  // A tiny tolerance keeps floating-point sums of exactly-equal costs from flipping a decision.
  return spend + reserved + cost <= max_budget * (1 + 1e-12) + 1e-15;
}

// Rate-limit window of 60 s, bucketed so its memory is constant whatever the rate: events are
// summed per bucket (1 s by default) and a bucket counts until the WHOLE bucket has left the
// window. An event at t counts until at least t + length (exact) and at most one bucket longer,
// so the total is never below the exact sliding-window count: a limit checked against it is
// never exceeded, and a client may be held back at most one bucket longer than exactly.
// At most length / bucket + 1 buckets are ever held (~1 KB for 60 × 1 s), none when idle.
// An event can be withdrawn (a request admitted by the key but then refused by its team never
// happened): cancel it with its handle, at most once.
class SlidingWindow {
 public:
  explicit SlidingWindow(std::chrono::milliseconds length = std::chrono::seconds(60),
                         std::chrono::milliseconds bucket = std::chrono::seconds(1));

  // Returns a handle for cancel(). Events may come in any order (one older than the window is
  // not counted).
  std::uint64_t add(Clock::time_point at, std::int64_t amount = 1);
  // Withdraws an event added with `amount` (1 for a request); no effect once its bucket left.
  void cancel(std::uint64_t handle, std::int64_t amount = 1);
  // Total in the window ending at `now` (buckets that left are dropped).
  std::int64_t total(Clock::time_point now);
  // When the total will next drop (the oldest bucket leaves); now when empty.
  Clock::time_point next_expiry(Clock::time_point now);
  std::chrono::milliseconds length() const { return length_; }
  std::chrono::milliseconds bucket() const { return bucket_; }
  // Buckets held: never more than max_buckets().
  std::size_t buckets_held() const { return buckets_.size(); }
  std::size_t max_buckets() const { return static_cast<std::size_t>(length_ / bucket_) + 1; }

 private:
  struct Bucket {
    std::int64_t index = 0;  // time since the clock's epoch / bucket_
    std::int64_t amount = 0;
  };
  std::int64_t index_of(Clock::time_point at) const;
  // When the bucket has wholly left the window.
  Clock::time_point leaves_at(std::int64_t index) const;
  // The held bucket of `index`, or where it would go.
  std::vector<Bucket>::iterator at_or_after(std::int64_t index);
  void evict(Clock::time_point now);
  std::chrono::milliseconds length_;
  std::chrono::milliseconds bucket_;
  // Non-empty buckets in the window, oldest first. A vector, not a deque: libstdc++'s deque
  // allocates ~600 bytes even when empty, and every key, team, user and organization has windows.
  std::vector<Bucket> buckets_;
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
