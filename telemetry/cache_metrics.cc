#include "telemetry/cache_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace tollgate::telemetry {

CacheMetrics::CacheMetrics(prometheus::Registry& registry, const std::string& cache, std::size_t max_entries)
    : entries_(prometheus::BuildGauge()
                   .Name("tollgate_cache_entries")
                   .Help("Entries held by a bounded in-memory cache")
                   .Register(registry)
                   .Add({{"cache", cache}})),
      evictions_(prometheus::BuildCounter()
                     .Name("tollgate_cache_evictions_total")
                     .Help("Entries a bounded cache dropped, least recently used first, to stay within its bound")
                     .Register(registry)
                     .Add({{"cache", cache}})) {
  prometheus::BuildGauge()
      .Name("tollgate_cache_max_entries")
      .Help("The configured bound of a cache (0: none)")
      .Register(registry)
      .Add({{"cache", cache}})
      .Set(static_cast<double>(max_entries));
}

void CacheMetrics::added(std::size_t n) { entries_.Increment(static_cast<double>(n)); }

void CacheMetrics::removed(std::size_t n, bool evicted) {
  entries_.Decrement(static_cast<double>(n));
  if (evicted) evictions_.Increment(static_cast<double>(n));
}

}  // namespace tollgate::telemetry
