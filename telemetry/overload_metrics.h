#pragma once
// What the gateway refused because a bound was reached: tollgate_shed_requests_total{reason}.
// Each refusal is a 503 with retry-after, answered at once instead of queued (docs/config.md,
// "Overload"). Increments are atomic; nothing here locks.
namespace prometheus {
class Counter;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace tollgate::telemetry {

enum class ShedReason {
  connections,        // general_settings.max_connections: the connection was refused
  in_flight,          // general_settings.max_in_flight_requests: the request was refused
  upstream_connects,  // general_settings.max_pending_upstream_connects: no new upstream connection
  queue_delay,        // general_settings.max_event_loop_delay_ms: the request's I/O thread runs behind
};

class OverloadMetrics {
 public:
  explicit OverloadMetrics(prometheus::Registry& registry);
  void shed(ShedReason reason);

 private:
  prometheus::Family<prometheus::Counter>& family_;
  prometheus::Counter& connections_;
  prometheus::Counter& in_flight_;
  prometheus::Counter& upstream_connects_;
  prometheus::Counter& queue_delay_;
};

}  // namespace tollgate::telemetry
