#pragma once
// The spend writer's rows waiting for the store, kept encoded (spend/journal_codec.h's row
// layout: ~300 bytes a row) rather than as SpendLogRow objects (~1.1 KiB each with their
// strings and a vector's growth slack). Under 256 connections on PostgreSQL the backlog
// between flushes reached thousands of rows and the process's RSS rose and fell with it
// (bench/optimizations.md). The store reads the rows back a statement's worth at a time
// (Reader, a persistence::SpendLogSource), so a flush never holds them all as rows either.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/spend_log_source.h"

namespace tollgate::spend {

class SpendLogBuffer {
 public:
  // Appends one row already encoded by append_spend_log_row (the callers encode outside their
  // lock). The bytes go to fixed-size blocks: appending never copies the rows before it.
  void append_encoded(std::string_view row);
  void push(const persistence::SpendLogRow& row);
  // Appends `later`'s rows after these.
  void absorb(SpendLogBuffer&& later);
  std::size_t size() const { return rows_; }
  bool empty() const { return rows_ == 0; }

  // The rows in order, decoded as they are read; the buffer must outlive it and stay unchanged.
  class Reader final : public persistence::SpendLogSource {
   public:
    explicit Reader(const SpendLogBuffer& buffer) : buffer_(buffer) {}
    bool next(std::size_t max, std::vector<persistence::SpendLogRow>& chunk) override;

   private:
    const SpendLogBuffer& buffer_;
    std::size_t block_ = 0;
    std::size_t at_ = 0;  // within the block
  };

 private:
  std::vector<std::string> blocks_;  // whole rows each; a row larger than a block has one of its own
  std::size_t rows_ = 0;
};

}  // namespace tollgate::spend
