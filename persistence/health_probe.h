#pragma once
// Blocking reachability checks of the store and Redis. Run them on a background thread only.
#include <chrono>
#include <string>

namespace tollgate::persistence {

struct ProbeResult {
  bool ok = false;
  double latency_ms = 0;
  std::string error;  // empty when ok; never contains credentials
};

ProbeResult probe_postgres(const std::string& url, std::chrono::milliseconds timeout);
ProbeResult probe_redis(const std::string& url, std::chrono::milliseconds timeout);
ProbeResult probe_sqlite(const std::string& path);

}  // namespace tollgate::persistence
