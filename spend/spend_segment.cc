#include "spend/spend_segment.h"

#include <algorithm>
#include <iterator>

namespace tollgate::spend {

void SpendSegment::add_increments(const std::vector<persistence::SpendIncrement>& added) {
  for (const auto& inc : added) {
    if (inc.amount != 0) increments[{static_cast<int>(inc.kind), inc.id}] += inc.amount;
  }
}

std::vector<persistence::SpendIncrement> SpendSegment::increment_list() const {
  std::vector<persistence::SpendIncrement> out;
  out.reserve(increments.size());
  for (const auto& [key, amount] : increments) {
    out.push_back({static_cast<persistence::EntityKind>(key.first), key.second, amount});
  }
  return out;
}

void SpendSegment::absorb(SpendSegment&& later) {
  logs.absorb(std::move(later.logs));
  for (const auto& [key, amount] : later.increments) increments[key] += amount;
  resets.insert(resets.end(), std::make_move_iterator(later.resets.begin()),
                std::make_move_iterator(later.resets.end()));
  last_seq = std::max(last_seq, later.last_seq);
}

}  // namespace tollgate::spend
