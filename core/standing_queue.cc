#include "core/standing_queue.h"

#include <algorithm>

namespace tollgate::core {

void StandingQueue::sample(Duration delay, TimePoint now) {
  if (!window_open_) {
    window_open_ = true;
    window_start_ = now;
    shortest_ = delay;
  } else {
    shortest_ = std::min(shortest_, delay);
  }
  if (now - window_start_ < interval_) return;
  standing_ = shortest_ > target_;
  window_open_ = false;
}

}  // namespace tollgate::core
