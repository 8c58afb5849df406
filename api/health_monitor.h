#pragma once
// Probes the dependencies (database, Redis) on a background thread and keeps the latest
// results, so /health/readiness answers from memory and never blocks an I/O thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "persistence/health_probe.h"

namespace tollgate::api {

struct DependencyStatus {
  std::string name;     // "database", "redis"
  std::string backend;  // "postgresql", "sqlite", "redis"
  persistence::ProbeResult result;
};

struct HealthTargets {
  std::string database_url;  // postgres URL, or empty for SQLite
  std::string sqlite_path;
  std::string redis_url;  // empty → no redis check
};

class HealthMonitor {
 public:
  HealthMonitor(HealthTargets targets, std::chrono::milliseconds interval);
  ~HealthMonitor();

  // Runs every probe once synchronously (start-up), then keeps probing in the background.
  void start();
  void stop();
  std::vector<DependencyStatus> snapshot() const;

 private:
  std::vector<DependencyStatus> probe_all() const;

  HealthTargets targets_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<DependencyStatus> latest_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tollgate::api
