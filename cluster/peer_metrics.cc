#include "cluster/peer_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace tollgate::cluster {
namespace {

constexpr const char* kKinds[] = {"lease", "handover"};
constexpr const char* kOutcomes[] = {"ok", "timeout", "invalid", "unavailable"};

int outcome_index(const core::ApiError* error) {
  if (!error) return 0;
  if (error->status == 504) return 1;
  if (error->status == 400) return 2;
  return 3;
}

}  // namespace

PeerMetrics::PeerMetrics(prometheus::Registry& registry)
    : family_(prometheus::BuildCounter()
                  .Name("tollgate_cluster_peer_requests_total")
                  .Help("Requests this node sent to other nodes (lease syncs, handover queries), by outcome")
                  .Register(registry)) {
  for (int kind = 0; kind < 2; ++kind) {
    for (int outcome = 0; outcome < 4; ++outcome) {
      counters_[kind][outcome] = &family_.Add({{"kind", kKinds[kind]}, {"outcome", kOutcomes[outcome]}});
    }
  }
}

void PeerMetrics::finished(Kind kind, const core::ApiError* error) {
  counters_[kind == Kind::lease ? 0 : 1][outcome_index(error)]->Increment();
}

}  // namespace tollgate::cluster
