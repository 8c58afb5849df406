#pragma once
// LiteLLM's request and budget metrics under LiteLLM's own family and label names
// (litellm_settings.prometheus_metric_names: litellm or both; docs/metrics.md has the
// mapping), so Grafana dashboards built for LiteLLM's proxy keep working. Counters carry
// the `_total` suffix LiteLLM's Python client adds when it exposes them. Built only when the
// option asks for LiteLLM's names: label children are per key and team, made on first use
// under one lock per call.
#include <cstdint>
#include <memory>
#include <string>

namespace prometheus {
class Registry;
}

namespace tollgate::telemetry {

// One finished call's labels, as LiteLLM fills them.
struct LitellmCallLabels {
  std::string end_user;
  std::string hashed_api_key;  // the key's SHA-256, as /key/info's `token`: never the key
  std::string api_key_alias;
  std::string team;  // team id
  std::string team_alias;
  std::string user;  // user id
  std::string user_email;
  std::string requested_model;  // the model group
  std::string model;            // the model sent upstream
  std::string model_id;         // the deployment's model_info.id
  std::string api_provider;
};

struct LitellmCallFigures {
  int status = 200;  // what the client got
  bool success = true;
  double spend = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double seconds = 0;  // from the request's arrival to its end
};

class LitellmMetrics {
 public:
  explicit LitellmMetrics(prometheus::Registry& registry);
  ~LitellmMetrics();

  void call_finished(const LitellmCallLabels& labels, const LitellmCallFigures& figures);
  // A budget as it changes: LiteLLM's max and remaining budget gauges of keys and teams.
  void key_budget(const std::string& hashed_api_key, const std::string& alias, double max_budget, double spend);
  void team_budget(const std::string& team_id, const std::string& alias, double max_budget, double spend);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::telemetry
