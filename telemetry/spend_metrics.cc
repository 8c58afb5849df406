#include "telemetry/spend_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace tollgate::telemetry {

SpendMetrics::SpendMetrics(prometheus::Registry& registry)
    : spend_(prometheus::BuildCounter()
                 .Name("tollgate_spend_usd_total")
                 .Help("Spend in USD by key alias, team and model group")
                 .Register(registry)),
      unpriced_(prometheus::BuildCounter()
                    .Name("tollgate_unpriced_requests_total")
                    .Help("Successful calls to a model without a known price (counted as cost 0)")
                    .Register(registry)) {}

void SpendMetrics::spent(const std::string& key_alias, const std::string& team, const std::string& model_group,
                         double usd, bool priced) {
  std::lock_guard lock(mutex_);
  if (!priced) {
    auto& c = unpriced_children_[model_group];
    if (!c) c = &unpriced_.Add({{"model_group", model_group}});
    c->Increment();
  }
  if (usd <= 0) return;
  auto& child = children_[{key_alias, team, model_group}];
  if (!child) child = &spend_.Add({{"key_alias", key_alias}, {"team", team}, {"model_group", model_group}});
  child->Increment(usd);
}

}  // namespace tollgate::telemetry
