#pragma once
// The owners of the responses this node created lately. The store learns an owner with its
// spend log, up to a flush interval (1 s) after the answer reached the client; a client that
// chains (previous_response_id) or reads its response at once is served from here, and so is
// every later lookup on this node while the entry lasts, without a store query. Bounded: the
// oldest entries go first (the store still has them).
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "persistence/records.h"

namespace tollgate::api {

class RecentResponseOwners {
 public:
  explicit RecentResponseOwners(std::size_t capacity = 65'536) : capacity_(capacity) {}

  // Keeps the first owner of an id, as the store does.
  void remember(persistence::ResponseOwner owner);
  std::optional<persistence::ResponseOwner> find(const std::string& response_id) const;
  void forget(const std::string& response_id);

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, persistence::ResponseOwner> owners_;
  std::deque<std::string> order_;  // oldest first; may name ids already forgotten
};

}  // namespace tollgate::api
