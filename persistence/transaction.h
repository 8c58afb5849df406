#pragma once
// RAII transaction: commit() ends it; leaving the scope any other way (an exception, an early
// return) rolls it back, so a Store method never leaves half of its statements applied.
#include "persistence/sql.h"

namespace tollgate::persistence {

class Transaction {
 public:
  explicit Transaction(SqlConnection& connection) : connection_(connection) { connection_.begin(); }
  ~Transaction() {
    if (!finished_) connection_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() {
    // The driver ends the transaction whether COMMIT succeeds or throws, so never roll back
    // after a failed commit.
    finished_ = true;
    connection_.commit();
  }
  void rollback() noexcept {
    finished_ = true;
    connection_.rollback();
  }

 private:
  SqlConnection& connection_;
  bool finished_ = false;
};

}  // namespace tollgate::persistence
