#pragma once
// Per model group and deployment metrics. Deployments are known at start-up, so every
// label child is created once; request paths only touch prebuilt pointers (error classes are
// created on first use, under a lock, since they are rare).
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace tollgate::telemetry {

struct DeploymentLabels {
  std::string model_group;
  std::string deployment_id;
  std::string provider;
  // For LiteLLM's names only: the model sent upstream, and api_base without credentials.
  std::string upstream_model;
  std::string api_base;
};

class ModelMetrics {
 public:
  // `litellm_names`: also LiteLLM's deployment families (litellm_deployment_state, ...;
  // docs/metrics.md), for litellm_settings.prometheus_metric_names litellm or both.
  ModelMetrics(prometheus::Registry& registry, const std::vector<DeploymentLabels>& deployments,
               bool litellm_names = false);
  ~ModelMetrics();

  void attempt_started(std::size_t deployment);
  void attempt_finished(std::size_t deployment, bool success, double seconds);
  // An attempt cut short because the client hung up: neither a success nor a failure.
  void attempt_cancelled(std::size_t deployment);
  void error(std::size_t deployment, std::string_view error_class);
  void time_to_first_token(std::size_t deployment, double seconds);
  void tokens(std::size_t deployment, std::int64_t input, std::int64_t output);
  void retry(std::size_t deployment);
  void fallback(std::string_view from_group, std::string_view to_group);
  void cooldown(std::size_t deployment);

 private:
  struct Children;
  struct LitellmChildren;
  void add_litellm_children(prometheus::Registry& registry);
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Counter>& fallbacks_;
  std::vector<std::unique_ptr<Children>> children_;
  std::vector<DeploymentLabels> labels_;
  std::mutex mutex_;
  std::map<std::pair<std::size_t, std::string>, prometheus::Counter*> error_children_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> fallback_children_;
};

}  // namespace tollgate::telemetry
