#include "core/budget_math.h"

#include <algorithm>

namespace tollgate::core {

SlidingWindow::SlidingWindow(std::chrono::milliseconds length, std::chrono::milliseconds bucket)
    : length_(length), bucket_(std::max(bucket, std::chrono::milliseconds(1))) {}

std::int64_t SlidingWindow::index_of(Clock::time_point at) const {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const auto width = bucket_.count();
  // Floor division: a bucket is [index × width, (index + 1) × width) whatever the sign.
  return since_epoch >= 0 ? since_epoch / width : -((-since_epoch + width - 1) / width);
}

Clock::time_point SlidingWindow::leaves_at(std::int64_t index) const {
  return Clock::time_point{} + std::chrono::duration_cast<Clock::duration>((index + 1) * bucket_ + length_);
}

std::vector<SlidingWindow::Bucket>::iterator SlidingWindow::at_or_after(std::int64_t index) {
  return std::lower_bound(buckets_.begin(), buckets_.end(), index,
                          [](const Bucket& b, std::int64_t i) { return b.index < i; });
}

void SlidingWindow::evict(Clock::time_point now) {
  std::size_t gone = 0;
  while (gone < buckets_.size() && leaves_at(buckets_[gone].index) <= now) total_ -= buckets_[gone++].amount;
  if (gone > 0) buckets_.erase(buckets_.begin(), buckets_.begin() + static_cast<std::ptrdiff_t>(gone));
}

std::uint64_t SlidingWindow::add(Clock::time_point at, std::int64_t amount) {
  const auto index = index_of(at);
  const auto handle = static_cast<std::uint64_t>(index);
  if (amount == 0) return handle;
  if (buckets_.empty() || buckets_.back().index < index) {
    buckets_.push_back({index, amount});  // the usual case: time moves forward
  } else {
    const auto it = at_or_after(index);
    if (it != buckets_.end() && it->index == index) {
      it->amount += amount;
    } else {
      buckets_.insert(it, {index, amount});
    }
  }
  total_ += amount;
  return handle;
}

void SlidingWindow::cancel(std::uint64_t handle, std::int64_t amount) {
  const auto index = static_cast<std::int64_t>(handle);
  const auto it = at_or_after(index);
  if (it == buckets_.end() || it->index != index) return;  // its bucket already left
  const auto withdrawn = std::min(amount, it->amount);
  it->amount -= withdrawn;
  total_ -= withdrawn;
  if (it->amount == 0) buckets_.erase(it);  // an empty bucket must not hold next_expiry back
}

std::int64_t SlidingWindow::total(Clock::time_point now) {
  evict(now);
  return total_;
}

Clock::time_point SlidingWindow::next_expiry(Clock::time_point now) {
  evict(now);
  return buckets_.empty() ? now : leaves_at(buckets_.front().index);
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
