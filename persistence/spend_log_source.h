#pragma once
// Spend-log rows handed to the store a chunk at a time: a batch of thousands of rows need not
// exist in memory as SpendLogRow objects all at once (the spend writer keeps its rows encoded,
// spend/spend_log_buffer.h, and the store decodes a statement's worth at a time).
#include <cstddef>
#include <vector>

#include "persistence/records.h"

namespace tollgate::persistence {

class SpendLogSource {
 public:
  virtual ~SpendLogSource() = default;
  // Replaces `chunk`'s contents with up to `max` of the next rows (max > 0); false when no row
  // was left.
  virtual bool next(std::size_t max, std::vector<SpendLogRow>& chunk) = 0;
};

// The rows of a vector the caller keeps alive, in order.
class SpendLogList final : public SpendLogSource {
 public:
  explicit SpendLogList(const std::vector<SpendLogRow>& rows) : rows_(rows) {}
  bool next(std::size_t max, std::vector<SpendLogRow>& chunk) override {
    chunk.clear();
    for (; at_ < rows_.size() && chunk.size() < max; ++at_) chunk.push_back(rows_[at_]);
    return !chunk.empty();
  }

 private:
  const std::vector<SpendLogRow>& rows_;
  std::size_t at_ = 0;
};

}  // namespace tollgate::persistence
