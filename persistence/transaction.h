#pragma once
// RAII transaction: commit() ends it; leaving the scope any other way (an exception, an early
// return) rolls it back, so a Store method never leaves half of its statements applied.
//
// It also collects what the transaction changes (changed()) and reports it to the listener
// once the commit succeeded: a rolled-back change is never reported (persistence/change.h).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "persistence/change.h"
#include "persistence/sql.h"

namespace tollgate::persistence {

class Transaction {
 public:
  explicit Transaction(SqlConnection& connection, ChangeListener* listener = nullptr)
      : connection_(connection), listener_(listener) {
    connection_.begin();
  }
  ~Transaction() {
    if (!finished_) connection_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Notes a change to report after the commit; each (kind, id) once.
  void changed(ChangeKind kind, const std::string& id);
  void changed(ChangeKind kind, const std::vector<std::string>& ids);

  void commit() {
    // The driver ends the transaction whether COMMIT succeeds or throws, so never roll back
    // after a failed commit.
    finished_ = true;
    connection_.commit();
    if (listener_ && !changes_.empty()) listener_->committed(changes_);
  }
  void rollback() noexcept {
    finished_ = true;
    connection_.rollback();
  }

 private:
  SqlConnection& connection_;
  ChangeListener* listener_;
  bool finished_ = false;
  std::vector<Change> changes_;  // one per kind, in first-seen order
  std::set<std::pair<ChangeKind, std::string>> seen_;
};

}  // namespace tollgate::persistence
