#include "api/health_monitor.h"

#include "telemetry/log.h"

namespace tollgate::api {

constexpr std::chrono::milliseconds kProbeTimeout{2000};

HealthMonitor::HealthMonitor(HealthTargets targets, std::chrono::milliseconds interval)
    : targets_(std::move(targets)), interval_(interval) {}

HealthMonitor::~HealthMonitor() { stop(); }

std::vector<DependencyStatus> HealthMonitor::probe_all() const {
  std::vector<DependencyStatus> out;
  if (!targets_.database_url.empty()) {
    out.push_back({"database", "postgresql", persistence::probe_postgres(targets_.database_url, kProbeTimeout)});
  } else if (!targets_.sqlite_path.empty()) {
    out.push_back({"database", "sqlite", persistence::probe_sqlite(targets_.sqlite_path)});
  }
  if (!targets_.redis_url.empty()) {
    out.push_back({"redis", "redis", persistence::probe_redis(targets_.redis_url, kProbeTimeout)});
  }
  return out;
}

void HealthMonitor::start() {
  {
    auto first = probe_all();
    std::lock_guard lock(mutex_);
    latest_ = std::move(first);
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      auto results = probe_all();
      for (const auto& dep : results) {
        if (!dep.result.ok) {
          telemetry::log_warn("dependency_unhealthy", {{"dependency", dep.name}, {"error", dep.result.error}});
        }
      }
      lock.lock();
      latest_ = std::move(results);
    }
  });
}

void HealthMonitor::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::vector<DependencyStatus> HealthMonitor::snapshot() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

}  // namespace tollgate::api
