#include "telemetry/litellm_metrics.h"

#include <mutex>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/metric_names.h"

namespace tollgate::telemetry {
namespace {

using Names = std::vector<std::string_view>;
// One label set's values by name: a call's labels plus its outcome's.
using Values = std::unordered_map<std::string_view, std::string_view>;

// LiteLLM's default labels per family (litellm/types/integrations/prometheus.py), without
// client_ip and user_agent (per-client cardinality) and the org labels.
const Names kRequestLabels = {"end_user",   "hashed_api_key", "api_key_alias", "model",    "team",
                              "team_alias", "user",           "user_email",    "model_id", "api_provider"};
const Names kTokenLabels = {"end_user",   "hashed_api_key", "api_key_alias", "model",           "team",
                            "team_alias", "user",           "user_email",    "requested_model", "model_id"};
const Names kProxyTotalLabels = {"end_user",   "hashed_api_key", "api_key_alias", "requested_model", "team",
                                 "team_alias", "user",           "status_code",   "user_email",      "model_id"};
const Names kProxyFailedLabels = {
    "end_user", "hashed_api_key", "api_key_alias",    "requested_model", "team",    "team_alias",
    "user",     "user_email",     "exception_status", "exception_class", "model_id"};
const Names kLatencyLabels = {"end_user",   "hashed_api_key", "api_key_alias", "requested_model", "team",
                              "team_alias", "user",           "model",         "model_id"};
const Names kTeamBudgetLabels = {"team", "team_alias"};
const Names kKeyBudgetLabels = {"hashed_api_key", "api_key_alias"};

// LiteLLM's LATENCY_BUCKETS (+Inf is implicit here).
const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,  2,
                                                               5,     10,   30,    60,   120, 300,  420, 600};
  return buckets;
}

// A family and its children by label values, children made on first use (callers hold the lock).
template <class Metric>
class Labelled {
 public:
  Labelled(prometheus::Family<Metric>& family, const Names& names) : family_(family), names_(names) {}

  template <class... Extra>
  Metric& child(const Values& values, const Extra&... extra) {
    std::string key;
    for (const auto name : names_) {
      key += lookup(values, name);
      key += '\x1f';
    }
    auto& slot = children_[key];
    if (slot == nullptr) {
      prometheus::Labels labels;
      for (const auto name : names_) labels.emplace(std::string(name), std::string(lookup(values, name)));
      slot = &family_.Add(labels, extra...);
    }
    return *slot;
  }

 private:
  static std::string_view lookup(const Values& values, std::string_view name) {
    const auto it = values.find(name);
    return it == values.end() ? std::string_view() : it->second;
  }
  prometheus::Family<Metric>& family_;
  const Names& names_;
  std::unordered_map<std::string, Metric*> children_;
};

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Histogram>& histogram(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
}

Values call_values(const LitellmCallLabels& l) {
  return {{"end_user", l.end_user},
          {"hashed_api_key", l.hashed_api_key},
          {"api_key_alias", l.api_key_alias},
          {"team", l.team},
          {"team_alias", l.team_alias},
          {"user", l.user},
          {"user_email", l.user_email},
          {"requested_model", l.requested_model},
          {"model", l.model},
          {"model_id", l.model_id},
          {"api_provider", l.api_provider}};
}

}  // namespace

struct LitellmMetrics::Impl {
  explicit Impl(prometheus::Registry& r)
      : requests(counter(r, "litellm_requests_metric_total",
                         "Total number of LLM calls to litellm - track total per API Key, team, user"),
                 kRequestLabels),
        proxy_total(counter(r, "litellm_proxy_total_requests_metric_total",
                            "Total number of requests made to the proxy server - track number of client side requests"),
                    kProxyTotalLabels),
        proxy_failed(counter(r, "litellm_proxy_failed_requests_metric_total",
                             "Total number of failed responses from proxy - the client did not get a success response"),
                     kProxyFailedLabels),
        spend(counter(r, "litellm_spend_metric_total", "Total spend on LLM requests"), kRequestLabels),
        total_tokens(
            counter(r, "litellm_total_tokens_metric_total", "Total number of input + output tokens from LLM requests"),
            kTokenLabels),
        input_tokens(counter(r, "litellm_input_tokens_metric_total", "Total number of input tokens from LLM requests"),
                     kTokenLabels),
        output_tokens(
            counter(r, "litellm_output_tokens_metric_total", "Total number of output tokens from LLM requests"),
            kTokenLabels),
        latency(
            histogram(r, "litellm_request_total_latency_metric", "Total latency (seconds) for a request to LiteLLM"),
            kLatencyLabels),
        team_remaining(gauge(r, "litellm_remaining_team_budget_metric", "Remaining budget for team"),
                       kTeamBudgetLabels),
        team_max(gauge(r, "litellm_team_max_budget_metric", "Maximum budget set for team"), kTeamBudgetLabels),
        key_remaining(gauge(r, "litellm_remaining_api_key_budget_metric", "Remaining budget for api key"),
                      kKeyBudgetLabels),
        key_max(gauge(r, "litellm_api_key_max_budget_metric", "Maximum budget set for api key"), kKeyBudgetLabels) {}

  std::mutex mutex;
  Labelled<prometheus::Counter> requests, proxy_total, proxy_failed, spend, total_tokens, input_tokens, output_tokens;
  Labelled<prometheus::Histogram> latency;
  Labelled<prometheus::Gauge> team_remaining, team_max, key_remaining, key_max;
};

LitellmMetrics::LitellmMetrics(prometheus::Registry& registry) : impl_(std::make_unique<Impl>(registry)) {}
LitellmMetrics::~LitellmMetrics() = default;

void LitellmMetrics::call_finished(const LitellmCallLabels& labels, const LitellmCallFigures& f) {
  auto values = call_values(labels);
  const auto status = std::to_string(f.status);
  values.emplace("status_code", status);
  std::lock_guard lock(impl_->mutex);
  impl_->proxy_total.child(values).Increment();
  impl_->latency.child(values, latency_buckets()).Observe(f.seconds);
  if (!f.success) {
    values.emplace("exception_status", status);
    values.emplace("exception_class", core::litellm_exception_class(f.status));
    impl_->proxy_failed.child(values).Increment();
  } else {
    impl_->requests.child(values).Increment();
  }
  if (f.spend > 0) impl_->spend.child(values).Increment(f.spend);
  const auto input = static_cast<double>(f.input_tokens);
  const auto output = static_cast<double>(f.output_tokens);
  if (input + output > 0) impl_->total_tokens.child(values).Increment(input + output);
  if (input > 0) impl_->input_tokens.child(values).Increment(input);
  if (output > 0) impl_->output_tokens.child(values).Increment(output);
}

void LitellmMetrics::key_budget(const std::string& hashed_api_key, const std::string& alias, double max_budget,
                                double spend) {
  const Values values{{"hashed_api_key", hashed_api_key}, {"api_key_alias", alias}};
  std::lock_guard lock(impl_->mutex);
  impl_->key_max.child(values).Set(max_budget);
  impl_->key_remaining.child(values).Set(max_budget - spend);
}

void LitellmMetrics::team_budget(const std::string& team_id, const std::string& alias, double max_budget,
                                 double spend) {
  const Values values{{"team", team_id}, {"team_alias", alias}};
  std::lock_guard lock(impl_->mutex);
  impl_->team_max.child(values).Set(max_budget);
  impl_->team_remaining.child(values).Set(max_budget - spend);
}

}  // namespace tollgate::telemetry
