#include "telemetry/model_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace tollgate::telemetry {

namespace {

const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                               1,     2.5,   5,    10,    30,   60,  120,  300};
  return buckets;
}

}  // namespace

struct ModelMetrics::Children {
  prometheus::Counter* success = nullptr;
  prometheus::Counter* failure = nullptr;
  prometheus::Histogram* latency = nullptr;
  prometheus::Histogram* ttft = nullptr;
  prometheus::Counter* input_tokens = nullptr;
  prometheus::Counter* output_tokens = nullptr;
  prometheus::Counter* retries = nullptr;
  prometheus::Counter* cooldowns = nullptr;
  prometheus::Counter* client_cancelled = nullptr;
  prometheus::Gauge* in_flight = nullptr;
};

ModelMetrics::ModelMetrics(prometheus::Registry& registry, const std::vector<DeploymentLabels>& deployments)
    : errors_(prometheus::BuildCounter()
                  .Name("tollgate_deployment_errors_total")
                  .Help("Failed upstream attempts by model group, deployment and error class")
                  .Register(registry)),
      fallbacks_(prometheus::BuildCounter()
                     .Name("tollgate_fallbacks_total")
                     .Help("Requests moved from one model group to a fallback group")
                     .Register(registry)),
      labels_(deployments) {
  auto& requests = prometheus::BuildCounter()
                       .Name("tollgate_deployment_requests_total")
                       .Help("Upstream attempts by model group, deployment and outcome")
                       .Register(registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("tollgate_deployment_latency_seconds")
                      .Help("Upstream attempt latency, from sending the request to its last byte")
                      .Register(registry);
  auto& ttft = prometheus::BuildHistogram()
                   .Name("tollgate_deployment_time_to_first_token_seconds")
                   .Help("Streaming: time from sending the request to the first relayed event")
                   .Register(registry);
  auto& tokens = prometheus::BuildCounter()
                     .Name("tollgate_tokens_total")
                     .Help("Tokens by model group, deployment and direction (input/output)")
                     .Register(registry);
  auto& retries = prometheus::BuildCounter()
                      .Name("tollgate_retries_total")
                      .Help("Retried upstream attempts by model group and deployment")
                      .Register(registry);
  auto& cooldowns = prometheus::BuildCounter()
                        .Name("tollgate_deployment_cooldowns_total")
                        .Help("Times a deployment was taken out of rotation")
                        .Register(registry);
  auto& client_cancelled = prometheus::BuildCounter()
                               .Name("tollgate_client_cancelled_total")
                               .Help("Upstream attempts cut short because the client hung up (not deployment failures)")
                               .Register(registry);
  auto& in_flight = prometheus::BuildGauge()
                        .Name("tollgate_deployment_in_flight_requests")
                        .Help("Upstream attempts in progress")
                        .Register(registry);
  for (const auto& d : deployments) {
    const prometheus::Labels base{
        {"model_group", d.model_group}, {"deployment", d.deployment_id}, {"provider", d.provider}};
    auto with = [&](const char* key, const char* value) {
      auto labels = base;
      labels.emplace(key, value);
      return labels;
    };
    auto c = std::make_unique<Children>();
    c->success = &requests.Add(with("outcome", "success"));
    c->failure = &requests.Add(with("outcome", "failure"));
    c->latency = &latency.Add(base, latency_buckets());
    c->ttft = &ttft.Add(base, latency_buckets());
    c->input_tokens = &tokens.Add(with("direction", "input"));
    c->output_tokens = &tokens.Add(with("direction", "output"));
    c->retries = &retries.Add(base);
    c->cooldowns = &cooldowns.Add(base);
    c->client_cancelled = &client_cancelled.Add(base);
    c->in_flight = &in_flight.Add(base);
    children_.push_back(std::move(c));
  }
}

ModelMetrics::~ModelMetrics() = default;

void ModelMetrics::attempt_started(std::size_t d) { children_[d]->in_flight->Increment(); }

void ModelMetrics::attempt_finished(std::size_t d, bool success, double seconds) {
  auto& c = *children_[d];
  c.in_flight->Decrement();
  (success ? c.success : c.failure)->Increment();
  c.latency->Observe(seconds);
}

void ModelMetrics::attempt_cancelled(std::size_t d) {
  auto& c = *children_[d];
  c.in_flight->Decrement();
  c.client_cancelled->Increment();
}

void ModelMetrics::error(std::size_t d, std::string_view error_class) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(d, std::string(error_class));
  auto it = error_children_.find(key);
  if (it == error_children_.end()) {
    const auto& l = labels_[d];
    auto* counter = &errors_.Add({{"model_group", l.model_group},
                                  {"deployment", l.deployment_id},
                                  {"provider", l.provider},
                                  {"error_class", key.second}});
    it = error_children_.emplace(std::move(key), counter).first;
  }
  it->second->Increment();
}

void ModelMetrics::time_to_first_token(std::size_t d, double seconds) { children_[d]->ttft->Observe(seconds); }

void ModelMetrics::tokens(std::size_t d, std::int64_t input, std::int64_t output) {
  if (input > 0) children_[d]->input_tokens->Increment(static_cast<double>(input));
  if (output > 0) children_[d]->output_tokens->Increment(static_cast<double>(output));
}

void ModelMetrics::retry(std::size_t d) { children_[d]->retries->Increment(); }

void ModelMetrics::fallback(std::string_view from_group, std::string_view to_group) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(std::string(from_group), std::string(to_group));
  auto it = fallback_children_.find(key);
  if (it == fallback_children_.end()) {
    auto* counter = &fallbacks_.Add({{"from_model_group", key.first}, {"to_model_group", key.second}});
    it = fallback_children_.emplace(std::move(key), counter).first;
  }
  it->second->Increment();
}

void ModelMetrics::cooldown(std::size_t d) { children_[d]->cooldowns->Increment(); }

}  // namespace tollgate::telemetry
