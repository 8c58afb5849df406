#pragma once
// Counters for GET /_mock/stats and the last request for GET /_mock/last. Each I/O thread
// writes only its own shard, so a shard's mutex is contended only while a control request
// reads it: the request path takes no lock another request thread holds.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tools/mock/http_request.h"

namespace tollgate::mock {

class StatsShard {
 public:
  // Counts a non-control request and keeps it as this shard's last request. `request` is
  // swapped with the previous last one, which the caller then destroys outside the lock;
  // `path` and `model` are read before the swap.
  void record(std::string_view path, std::string_view model, Request& request);

  void count_client_abort() { client_aborts_.fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  friend class Stats;
  using Counts = std::map<std::string, std::uint64_t, std::less<>>;

  std::mutex mutex_;
  std::uint64_t requests_ = 0;
  Counts by_path_;
  Counts by_model_;
  Request last_;
  std::int64_t last_at_ = 0;  // steady-clock ticks; 0: none since start or reset
  std::atomic<std::uint64_t> client_aborts_{0};
  std::atomic<std::int64_t> open_connections_{0};
};

class Stats {
 public:
  explicit Stats(int shards);

  StatsShard& shard(int index) { return *shards_[static_cast<std::size_t>(index)]; }

  // {"requests","by_path","by_model","client_aborts","open_connections"}
  std::string snapshot_json();
  // Zeroes the counters (open_connections is a gauge and stays) and forgets the last request.
  void reset();
  // {"method","path","headers":{lowercase name: value},"body"}; false when there is none.
  bool last_json(std::string& out);

 private:
  std::vector<std::unique_ptr<StatsShard>> shards_;
};

}  // namespace tollgate::mock
