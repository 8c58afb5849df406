#include "cluster/change_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tollgate::cluster {
namespace {

const prometheus::Histogram::BucketBoundaries& lag_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                               0.05,   0.1,   0.25,   0.5,   1,    2.5};
  return buckets;
}

prometheus::Counter& counter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

ChangeMetrics::ChangeMetrics(prometheus::Registry& registry)
    : published_(counter(registry, "tollgate_cluster_changes_published_total",
                         "Committed change lists this node published to the other nodes")),
      dropped_(counter(registry, "tollgate_cluster_changes_dropped_total",
                       "Committed change lists not published because the publish queue was full")),
      received_(counter(registry, "tollgate_cluster_changes_received_total",
                        "Change lists received from other nodes and applied to the key cache")),
      lag_(prometheus::BuildHistogram()
               .Name("tollgate_cluster_change_lag_seconds")
               .Help("From a change's commit on another node to its application to this node's key cache")
               .Register(registry)
               .Add({}, lag_buckets())),
      emptied_(prometheus::BuildCounter()
                   .Name("tollgate_cluster_key_cache_emptied_total")
                   .Help("Times the key cache was emptied because changes may have been missed, by reason")
                   .Register(registry)),
      emptied_subscribed_(emptied_.Add({{"reason", "subscribed"}})),
      emptied_gap_(emptied_.Add({{"reason", "sequence_gap"}})),
      emptied_undecodable_(emptied_.Add({{"reason", "undecodable"}})) {}

void ChangeMetrics::published() { published_.Increment(); }
void ChangeMetrics::dropped() { dropped_.Increment(); }

void ChangeMetrics::received(double lag_seconds) {
  received_.Increment();
  lag_.Observe(lag_seconds < 0 ? 0 : lag_seconds);  // clocks of two machines may disagree a little
}

void ChangeMetrics::cache_emptied(EmptiedBecause reason) {
  switch (reason) {
    case EmptiedBecause::subscribed: emptied_subscribed_.Increment(); return;
    case EmptiedBecause::sequence_gap: emptied_gap_.Increment(); return;
    case EmptiedBecause::undecodable: emptied_undecodable_.Increment(); return;
  }
}

}  // namespace tollgate::cluster
