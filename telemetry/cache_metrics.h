#pragma once
// Size, bound and evictions of a bounded in-memory cache (the key cache), under one family per
// figure with a `cache` label: tollgate_cache_entries, tollgate_cache_max_entries,
// tollgate_cache_evictions_total.
#include <cstddef>
#include <string>

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tollgate::telemetry {

class CacheMetrics {
 public:
  CacheMetrics(prometheus::Registry& registry, const std::string& cache, std::size_t max_entries);
  // Counted as changes (atomic), so concurrent updates cannot leave a stale size behind.
  void added(std::size_t n = 1);
  void removed(std::size_t n, bool evicted);

 private:
  prometheus::Gauge& entries_;
  prometheus::Counter& evictions_;
};

}  // namespace tollgate::telemetry
