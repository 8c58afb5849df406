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
  std::unique_ptr<LitellmChildren> litellm;  // null unless LiteLLM's names are served
};

// LiteLLM's deployment families, labelled as LiteLLM labels them without the per-key labels
// (these count attempts of a deployment, whoever sent them).
struct ModelMetrics::LitellmChildren {
  prometheus::Gauge* state = nullptr;  // 0 healthy, 1 partial outage (last attempt failed), 2 cooling down
  prometheus::Counter* success = nullptr;
  prometheus::Counter* failure = nullptr;
  prometheus::Counter* total = nullptr;
  prometheus::Counter* cooled_down = nullptr;
  prometheus::Histogram* latency = nullptr;
  prometheus::Histogram* ttft = nullptr;
};

ModelMetrics::ModelMetrics(prometheus::Registry& registry, const std::vector<DeploymentLabels>& deployments,
                           bool litellm_names)
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
  if (litellm_names) add_litellm_children(registry);
}

void ModelMetrics::add_litellm_children(prometheus::Registry& registry) {
  auto counter = [&](const char* name, const char* help) -> prometheus::Family<prometheus::Counter>& {
    return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
  };
  auto histogram = [&](const char* name, const char* help) -> prometheus::Family<prometheus::Histogram>& {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
  };
  auto& state = prometheus::BuildGauge()
                    .Name("litellm_deployment_state")
                    .Help(
                        "LLM Deployment Analytics - The state of the deployment: 0 = healthy, 1 = partial outage, "
                        "2 = complete outage")
                    .Register(registry);
  auto& success = counter("litellm_deployment_success_responses_total",
                          "LLM Deployment Analytics - Total number of successful LLM API calls via litellm");
  auto& failure =
      counter("litellm_deployment_failure_responses_total",
              "LLM Deployment Analytics - Total number of failed LLM API calls for a specific LLM deployment");
  auto& total = counter("litellm_deployment_total_requests_total",
                        "LLM Deployment Analytics - Total number of LLM API calls via litellm - success + failure");
  auto& cooled_down = counter("litellm_deployment_cooled_down_total",
                              "LLM Deployment Analytics - Number of times a deployment has been cooled down");
  auto& latency = histogram("litellm_llm_api_latency_metric", "Total latency (seconds) for a models LLM API call");
  auto& ttft = histogram("litellm_llm_api_time_to_first_token_metric", "Time to first token for a models LLM API call");
  static const prometheus::Histogram::BucketBoundaries litellm_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,  2,
                                                                       5,     10,   30,    60,   120, 300,  420, 600};
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    const auto& d = labels_[i];
    const prometheus::Labels deployment{{"litellm_model_name", d.upstream_model},
                                        {"model_id", d.deployment_id},
                                        {"api_base", d.api_base},
                                        {"api_provider", d.provider}};
    auto requested = deployment;
    requested.emplace("requested_model", d.model_group);
    const prometheus::Labels call{
        {"model", d.upstream_model}, {"requested_model", d.model_group}, {"model_id", d.deployment_id}};
    auto l = std::make_unique<LitellmChildren>();
    l->state = &state.Add(deployment);
    l->success = &success.Add(requested);
    l->failure = &failure.Add(requested);
    l->total = &total.Add(requested);
    l->cooled_down = &cooled_down.Add(deployment);
    l->latency = &latency.Add(call, litellm_buckets);
    l->ttft = &ttft.Add(call, litellm_buckets);
    children_[i]->litellm = std::move(l);
  }
}

ModelMetrics::~ModelMetrics() = default;

void ModelMetrics::attempt_started(std::size_t d) { children_[d]->in_flight->Increment(); }

void ModelMetrics::attempt_finished(std::size_t d, bool success, double seconds) {
  auto& c = *children_[d];
  c.in_flight->Decrement();
  (success ? c.success : c.failure)->Increment();
  c.latency->Observe(seconds);
  if (auto* l = c.litellm.get()) {
    (success ? l->success : l->failure)->Increment();
    l->total->Increment();
    l->state->Set(success ? 0 : 1);
    l->latency->Observe(seconds);
  }
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

void ModelMetrics::time_to_first_token(std::size_t d, double seconds) {
  children_[d]->ttft->Observe(seconds);
  if (auto* l = children_[d]->litellm.get()) l->ttft->Observe(seconds);
}

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

void ModelMetrics::cooldown(std::size_t d) {
  children_[d]->cooldowns->Increment();
  if (auto* l = children_[d]->litellm.get()) {
    l->cooled_down->Increment();
    l->state->Set(2);
  }
}

}  // namespace tollgate::telemetry
