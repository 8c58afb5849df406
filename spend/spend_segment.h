#pragma once
// A run of settled spend written to the store as one batch: spend-log rows, increments summed
// per entity, and the budget resets that follow them. The spend writer queues them; the
// journal's replay rebuilds them from journal records the same way.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "persistence/records.h"
#include "spend/spend_log_buffer.h"

namespace tollgate::spend {

struct SpendSegment {
  using EntityKey = std::pair<int, std::string>;

  SpendLogBuffer logs;  // encoded: the store decodes them a statement at a time
  std::map<EntityKey, double> increments;
  std::vector<persistence::SpendReset> resets;  // applied after this segment's logs and increments
  std::int64_t last_seq = 0;                    // journal sequence number of its last record; 0: none

  // Spend recorded after a reset must be written after it: a segment with resets is closed.
  bool open() const { return resets.empty(); }
  void add_increments(const std::vector<persistence::SpendIncrement>& added);
  std::vector<persistence::SpendIncrement> increment_list() const;
  // Appends `later` (the segment queued after this one), keeping the order.
  void absorb(SpendSegment&& later);
};

}  // namespace tollgate::spend
