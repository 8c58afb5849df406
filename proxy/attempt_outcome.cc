#include "proxy/attempt_outcome.h"

#include <charconv>

#include "proxy/deployment_health.h"
#include "telemetry/log.h"
#include "telemetry/model_metrics.h"

namespace tollgate::proxy {

std::optional<RoutedDeployment> choose_for_attempt(ModelRouter& router, Route& route, bool& all_cooling) {
  auto chosen = router.choose(*route.group, route.excluded, all_cooling);
  if (!chosen && !all_cooling && !route.excluded.empty()) {
    route.excluded.clear();  // retries may go back to a deployment that already failed
    chosen = router.choose(*route.group, route.excluded, all_cooling);
  }
  return chosen;
}

bool retry_in_group(const ModelRouter& router, telemetry::ModelMetrics& metrics, core::FailureClass failure,
                    std::size_t failed, Route& route) {
  route.excluded.push_back(failed);
  if (!core::is_retryable(failure) || route.attempts_in_group > router.settings().num_retries) return false;
  ++route.retries;
  metrics.retry(failed);
  return true;
}

bool fall_back(const ModelRouter& router, telemetry::ModelMetrics& metrics, core::FailureClass failure, Route& route) {
  if (failure == core::FailureClass::bad_request) return false;
  const auto* next = next_fallback(router, *route.requested, *route.group, failure, route.fallback_position);
  if (next == nullptr) return false;
  metrics.fallback(route.group->name, next->name);
  route.group = next;
  ++route.fallbacks;
  route.attempts_in_group = 0;
  route.excluded.clear();
  return true;
}

void note_failed_attempt(ModelRouter& router, telemetry::ModelMetrics& metrics, const RoutedDeployment& deployment,
                         const config::ModelGroup& group, core::FailureClass failure,
                         std::chrono::steady_clock::time_point attempt_start, const std::string& request_id) {
  const auto now = std::chrono::steady_clock::now();
  metrics.attempt_finished(deployment.index, false, std::chrono::duration<double>(now - attempt_start).count());
  metrics.error(deployment.index, core::failure_class_name(failure));
  const int fails = deployment.health->attempt_failed(now);
  const auto& settings = router.settings();
  const core::CooldownInput input{failure, fails, settings.allowed_fails, group.deployments.size() == 1};
  if (!settings.disable_cooldowns && core::should_cool_down(input)) {
    deployment.health->cool_down_until(now + settings.cooldown_time);
    metrics.cooldown(deployment.index);
    telemetry::log_warn("deployment_cooldown", {{"model_group", group.name},
                                                {"deployment", deployment.deployment->info.id},
                                                {"reason", core::failure_class_name(failure)},
                                                {"request_id", request_id}});
  }
}

void cancel_attempt(std::shared_ptr<http::OutboundCall>& call, const RoutedDeployment& attempt,
                    telemetry::ModelMetrics& metrics) {
  if (!call) return;
  call->cancel();
  call.reset();
  attempt.health->attempt_cancelled();
  metrics.attempt_cancelled(attempt.index);
}

void append_routing_headers(http::Headers& headers, const Route& route) {
  headers.push_back({"x-litellm-model-group", route.group->name});
  headers.push_back({"x-litellm-attempted-retries", std::to_string(route.retries)});
  headers.push_back({"x-litellm-attempted-fallbacks", std::to_string(route.fallbacks)});
}

core::ApiError all_deployments_cooling(const ModelRouter& router, const config::ModelGroup& group) {
  const auto wait = router.retry_after_cooldown();
  return core::too_many_requests("No deployments available for model group '" + group.name +
                                     "': every deployment is cooling down after failures. Try again in " +
                                     std::to_string(wait.count()) + " seconds.",
                                 static_cast<int>(wait.count()));
}

std::optional<double> retry_after_of(const http::Headers& headers) {
  const auto text = http::header_value(headers, "retry-after");
  if (!text) return std::nullopt;
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  return ec == std::errc{} ? std::optional<double>(seconds) : std::nullopt;
}

std::string gave_up_message(const config::ModelGroup& group, core::FailureClass failure, int status,
                            const std::string& upstream_message) {
  if (failure == core::FailureClass::auth) {
    return "The provider rejected the gateway's credentials for model group '" + group.name + "' (HTTP " +
           std::to_string(status) + ")";
  }
  return "Upstream error from model group '" + group.name + "' (" + std::string(core::failure_class_name(failure)) +
         (status ? ", HTTP " + std::to_string(status) : std::string()) + "): " + upstream_message;
}

int client_status_for(core::FailureClass failure, int upstream_status) {
  using core::FailureClass;
  switch (failure) {
    case FailureClass::rate_limited: return 429;
    case FailureClass::timeout: return 504;
    case FailureClass::connection: return 502;
    case FailureClass::auth: return 502;  // the gateway's provider credential was refused
    case FailureClass::not_found: return 404;
    case FailureClass::server_error: return upstream_status >= 500 ? upstream_status : 502;
    case FailureClass::context_window:
    case FailureClass::bad_request: return upstream_status >= 400 ? upstream_status : 400;
  }
  return 502;
}

namespace {

std::string error_type_for(int status) {
  switch (status) {
    case 400:
    case 413:
    case 422: return "invalid_request_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
    case 504: return "timeout_error";
    default: return status >= 500 ? "upstream_error" : "invalid_request_error";
  }
}

}  // namespace

core::ApiError gave_up_error(const config::ModelGroup& group, core::FailureClass failure, int status,
                             const std::string& upstream_message, std::optional<double> retry_after) {
  const int client_status = client_status_for(failure, status);
  core::ApiError error{client_status,
                       gave_up_message(group, failure, status, upstream_message),
                       error_type_for(client_status),
                       {},
                       {},
                       {}};
  if (client_status == 429) {
    error.headers.emplace_back("retry-after", std::to_string(static_cast<int>(retry_after.value_or(1))));
  }
  return error;
}

std::vector<const config::ModelGroup*> reachable_groups(const config::ModelCatalog& catalog,
                                                        const config::RouterSettings& settings,
                                                        const config::ModelGroup& group) {
  std::vector<const config::ModelGroup*> reachable{&group};
  for (const auto* lists : {&settings.fallbacks, &settings.context_window_fallbacks}) {
    for (const auto& f : *lists) {
      if (f.model_group != group.name) continue;
      for (const auto& name : f.fallbacks) {
        if (const auto* g = catalog.find(name)) reachable.push_back(g);
      }
    }
  }
  return reachable;
}

const config::ModelGroup* next_fallback(const ModelRouter& router, const config::ModelGroup& requested,
                                        const config::ModelGroup& current, core::FailureClass failure,
                                        std::size_t& position) {
  const auto& settings = router.settings();
  const auto* lists = &settings.fallbacks;
  if (core::uses_context_window_fallbacks(failure)) {
    for (const auto& f : settings.context_window_fallbacks) {
      if (f.model_group == requested.name) lists = &settings.context_window_fallbacks;
    }
  }
  for (const auto& f : *lists) {
    if (f.model_group != requested.name) continue;
    while (position < f.fallbacks.size()) {
      const auto* next = router.catalog().find(f.fallbacks[position++]);
      if (next != nullptr && next != &current) return next;
    }
  }
  return nullptr;
}

}  // namespace tollgate::proxy
