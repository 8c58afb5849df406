#pragma once
// The peer link in Prometheus: calls to peers by kind and outcome.
#include "core/result.h"

namespace prometheus {
class Counter;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace tollgate::cluster {

class PeerMetrics {
 public:
  explicit PeerMetrics(prometheus::Registry& registry);

  enum class Kind { lease, handover };
  // ok; timeout (504: no answer in time); invalid (400: not host:port); unavailable (503:
  // unreachable, TLS refused, the peer's service failed, the link stopped).
  void finished(Kind kind, const core::ApiError* error);

 private:
  prometheus::Family<prometheus::Counter>& family_;
  prometheus::Counter* counters_[2][4];
};

}  // namespace tollgate::cluster
