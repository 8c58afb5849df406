#pragma once
// The process's Prometheus registry and its text exposition.
#include <memory>
#include <string>

#include "core/metric_names.h"

namespace prometheus {
class Registry;
}

namespace tollgate::telemetry {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  prometheus::Registry& registry() { return *registry_; }
  // Which families serialize() shows (core/metric_names.h); set once, before serving.
  void serve(core::MetricNames names) { names_ = names; }
  core::MetricNames names() const { return names_; }
  // Prometheus text format 0.0.4 of every registered family the names option serves.
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  core::MetricNames names_ = core::MetricNames::tollgate;
};

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Sets tollgate_build_info{version,...} 1.
void register_build_info(Metrics& metrics, const std::string& version);

}  // namespace tollgate::telemetry
