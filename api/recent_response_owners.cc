#include "api/recent_response_owners.h"

namespace tollgate::api {

void RecentResponseOwners::remember(persistence::ResponseOwner owner) {
  std::scoped_lock lock(mutex_);
  const std::string id = owner.response_id;
  if (!owners_.emplace(id, std::move(owner)).second) return;
  order_.push_back(id);
  while (owners_.size() > capacity_ && !order_.empty()) {
    owners_.erase(order_.front());
    order_.pop_front();
  }
  // Forgotten ids leave stale names behind: drop them once they outnumber the live entries.
  if (order_.size() > 2 * capacity_) {
    std::deque<std::string> live;
    for (auto& name : order_) {
      if (owners_.count(name) != 0) live.push_back(std::move(name));
    }
    order_ = std::move(live);
  }
}

std::optional<persistence::ResponseOwner> RecentResponseOwners::find(const std::string& response_id) const {
  std::scoped_lock lock(mutex_);
  const auto found = owners_.find(response_id);
  if (found == owners_.end()) return std::nullopt;
  return found->second;
}

void RecentResponseOwners::forget(const std::string& response_id) {
  std::scoped_lock lock(mutex_);
  owners_.erase(response_id);
}

}  // namespace tollgate::api
