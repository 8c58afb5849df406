#include "telemetry/metrics.h"

#include <algorithm>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace tollgate::telemetry {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}
Metrics::~Metrics() = default;

std::string Metrics::serialize() const {
  auto families = registry_->Collect();
  families.erase(
      std::remove_if(families.begin(), families.end(),
                     [this](const prometheus::MetricFamily& f) { return !core::family_served(f.name, names_); }),
      families.end());
  return prometheus::TextSerializer{}.Serialize(families);
}

void register_build_info(Metrics& metrics, const std::string& version) {
  auto& family = prometheus::BuildGauge()
                     .Name("tollgate_build_info")
                     .Help("Build information; the value is always 1")
                     .Register(metrics.registry());
  family.Add({{"version", version}, {"compiler", __VERSION__}}).Set(1);
}

}  // namespace tollgate::telemetry
