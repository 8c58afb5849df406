#include "proxy/model_snapshot.h"

#include "core/metric_names.h"
#include "http/io_threads.h"
#include "providers/vertex/token_source.h"

namespace tollgate::proxy {

namespace {

std::vector<telemetry::DeploymentLabels> deployment_labels(const config::Config& c) {
  std::vector<telemetry::DeploymentLabels> out;
  for (const auto& d : c.model_list) {
    out.push_back({d.model_name, d.info.id, d.provider_prefix, d.upstream_model, core::metric_safe_url(d.api_base)});
  }
  return out;
}

}  // namespace

ModelSnapshotPtr make_model_snapshot(std::shared_ptr<const config::Config> config, prometheus::Registry& registry) {
  auto snapshot = std::make_shared<ModelSnapshot>();
  snapshot->catalog = std::make_shared<const config::ModelCatalog>(config);
  snapshot->router = std::make_unique<ModelRouter>(snapshot->catalog);
  snapshot->metrics = std::make_unique<telemetry::ModelMetrics>(
      registry, deployment_labels(*config), core::serves_litellm_names(config->general.prometheus_metric_names));
  for (const auto& d : config->model_list) {
    snapshot->access_tokens.push_back(d.provider == core::ProviderKind::vertex_ai
                                          ? providers::vertex::shared_token_source(d.vertex.credentials)
                                          : nullptr);
  }
  snapshot->passthrough = std::make_unique<const PassthroughUpstreams>(*config, snapshot->access_tokens);
  snapshot->config = std::move(config);
  return snapshot;
}

ModelSnapshots::ModelSnapshots(ModelSnapshotPtr first, const http::IoThreads& io)
    : io_(io), current_(std::move(first)), slots_(static_cast<std::size_t>(io.size())) {}

ModelSnapshotPtr ModelSnapshots::current() const {
  const int index = io_.current_index();
  if (index < 0) return locked_current();
  auto& slot = slots_[static_cast<std::size_t>(index)];
  const auto version = version_.load(std::memory_order_acquire);
  if (slot.version != version) {
    // May already be newer than `version`: the next call then refreshes once more.
    slot.snapshot = locked_current();
    slot.version = version;
  }
  return slot.snapshot;
}

void ModelSnapshots::replace(ModelSnapshotPtr next) {
  std::scoped_lock lock(mutex_);
  current_ = std::move(next);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

ModelSnapshotPtr ModelSnapshots::locked_current() const {
  std::scoped_lock lock(mutex_);
  return current_;
}

}  // namespace tollgate::proxy
