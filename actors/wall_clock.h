#pragma once
// The wall clock in unix milliseconds: budget resets are scheduled on it (the records'
// budget_reset_at), by the single-node owners and by the cluster's desks alike.
#include <chrono>
#include <cstdint>

namespace tollgate::actors {

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tollgate::actors
