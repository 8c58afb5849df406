#include "core/budget_math.h"

#include <algorithm>

namespace tollgate::core {

void SlidingWindow::evict(Clock::time_point now) {
  while (head_ < events_.size() && now - events_[head_].first >= length_) {
    total_ -= events_[head_].second;
    ++head_;
    ++front_handle_;
  }
  // Drop the expired prefix once it is most of the vector: amortized O(1) per event.
  if (head_ == events_.size()) {
    events_.clear();
    head_ = 0;
  } else if (head_ >= 64 && head_ * 2 >= events_.size()) {
    events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

std::uint64_t SlidingWindow::add(Clock::time_point at, std::int64_t amount) {
  events_.emplace_back(at, amount);
  total_ += amount;
  return front_handle_ + (events_.size() - head_) - 1;
}

void SlidingWindow::cancel(std::uint64_t handle) {
  if (handle < front_handle_ || handle - front_handle_ >= events_.size() - head_) return;  // already gone
  auto& event = events_[head_ + static_cast<std::size_t>(handle - front_handle_)];
  total_ -= event.second;
  event.second = 0;
}

std::int64_t SlidingWindow::total(Clock::time_point now) {
  evict(now);
  return total_;
}

Clock::time_point SlidingWindow::next_expiry(Clock::time_point now) {
  evict(now);
  return head_ == events_.size() ? now : events_[head_].first + length_;
}

int retry_after_seconds(Clock::time_point now, Clock::time_point available_at) {
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(available_at - now).count();
  return static_cast<int>(std::max<long long>(1, (wait + 999) / 1000));
}

std::int64_t next_reset_ms(std::int64_t previous_reset_ms, std::int64_t period_ms, std::int64_t now_ms) {
  if (period_ms <= 0) return now_ms;
  if (previous_reset_ms > now_ms) return previous_reset_ms;
  const std::int64_t missed = (now_ms - previous_reset_ms) / period_ms + 1;
  return previous_reset_ms + missed * period_ms;
}

}  // namespace tollgate::core
