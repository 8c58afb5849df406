#pragma once
// What a request routes with: the config's model list, the router with its deployments'
// health, and their metrics — one immutable snapshot, replaced as a whole by /config/reload.
// A request takes the current snapshot once and keeps it to its end, so a reload never
// changes the models under a call in flight; the old snapshot goes when its last call does.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "config/model_catalog.h"
#include "proxy/model_router.h"
#include "proxy/passthrough_upstreams.h"
#include "telemetry/model_metrics.h"

namespace prometheus {
class Registry;
}
namespace tollgate::http {
class IoThreads;
}

namespace tollgate::providers::vertex {
class AccessTokenSource;
}

namespace tollgate::proxy {

struct ModelSnapshot {
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<const config::ModelCatalog> catalog;
  std::unique_ptr<ModelRouter> router;  // deployment health starts afresh in each snapshot
  std::unique_ptr<telemetry::ModelMetrics> metrics;
  // Per deployment (model_list order): where a vertex_ai/ deployment's bearer token comes from;
  // null for the others.
  std::vector<std::shared_ptr<providers::vertex::AccessTokenSource>> access_tokens;
  // Where the pass-through routes (/openai/*, …) send calls, resolved once per config.
  std::unique_ptr<const PassthroughUpstreams> passthrough;

  const config::ModelCatalog& models() const { return *catalog; }
};

using ModelSnapshotPtr = std::shared_ptr<const ModelSnapshot>;

// Metrics of a deployment that is in both snapshots continue: prometheus families and label
// children are found again by name, not created twice.
ModelSnapshotPtr make_model_snapshot(std::shared_ptr<const config::Config> config, prometheus::Registry& registry);

// The current snapshot. Each I/O thread keeps its own reference and compares one atomic
// version per request, so reading it takes no lock on the request path; replace() bumps the
// version under a mutex and each thread picks the new snapshot up on its next request.
class ModelSnapshots {
 public:
  ModelSnapshots(ModelSnapshotPtr first, const http::IoThreads& io);

  ModelSnapshotPtr current() const;
  void replace(ModelSnapshotPtr next);

 private:
  struct alignas(64) Slot {  // one per I/O thread, touched only by it: no false sharing
    std::uint64_t version = 0;
    ModelSnapshotPtr snapshot;
  };
  ModelSnapshotPtr locked_current() const;

  const http::IoThreads& io_;
  mutable std::mutex mutex_;
  ModelSnapshotPtr current_;
  std::atomic<std::uint64_t> version_{1};
  mutable std::vector<Slot> slots_;
};

}  // namespace tollgate::proxy
