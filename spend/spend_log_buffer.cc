#include "spend/spend_log_buffer.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "spend/journal_codec.h"

namespace tollgate::spend {
namespace {

// ~50 rows a block: small enough that a quiet gateway's one-row segment costs little, large
// enough that a batch of 5,000 rows is a hundred allocations.
constexpr std::size_t kBlockBytes = 16 * 1024;

}  // namespace

void SpendLogBuffer::append_encoded(std::string_view row) {
  if (blocks_.empty() || blocks_.back().size() + row.size() > kBlockBytes) {
    blocks_.emplace_back().reserve(std::max(kBlockBytes, row.size()));
  }
  blocks_.back().append(row);
  ++rows_;
}

void SpendLogBuffer::push(const persistence::SpendLogRow& row) {
  std::string encoded;
  append_spend_log_row(row, encoded);
  append_encoded(encoded);
}

void SpendLogBuffer::absorb(SpendLogBuffer&& later) {
  blocks_.insert(blocks_.end(), std::make_move_iterator(later.blocks_.begin()),
                 std::make_move_iterator(later.blocks_.end()));
  rows_ += later.rows_;
  later.blocks_.clear();
  later.rows_ = 0;
}

bool SpendLogBuffer::Reader::next(std::size_t max, std::vector<persistence::SpendLogRow>& chunk) {
  chunk.clear();
  while (chunk.size() < max && block_ < buffer_.blocks_.size()) {
    const std::string& block = buffer_.blocks_[block_];
    if (at_ == block.size()) {
      ++block_;
      at_ = 0;
      continue;
    }
    if (!read_spend_log_row(block, at_, chunk.emplace_back())) {
      // Only append_spend_log_row's bytes are ever here: a failure is a bug, not bad input.
      throw std::logic_error("spend log buffer: an undecodable row");
    }
  }
  return !chunk.empty();
}

}  // namespace tollgate::spend
