#include "telemetry/overload_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace tollgate::telemetry {

namespace {

prometheus::Family<prometheus::Counter>& shed_family(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("tollgate_shed_requests_total")
      .Help("Requests and connections refused with 503 and retry-after because a bound was reached, by bound")
      .Register(registry);
}

}  // namespace

OverloadMetrics::OverloadMetrics(prometheus::Registry& registry)
    : family_(shed_family(registry)),
      connections_(family_.Add({{"reason", "connections"}})),
      in_flight_(family_.Add({{"reason", "in_flight"}})),
      upstream_connects_(family_.Add({{"reason", "upstream_connects"}})),
      queue_delay_(family_.Add({{"reason", "queue_delay"}})) {}

void OverloadMetrics::shed(ShedReason reason) {
  switch (reason) {
    case ShedReason::connections: connections_.Increment(); return;
    case ShedReason::in_flight: in_flight_.Increment(); return;
    case ShedReason::upstream_connects: upstream_connects_.Increment(); return;
    case ShedReason::queue_delay: queue_delay_.Increment(); return;
  }
}

}  // namespace tollgate::telemetry
