#pragma once
// Which names /metrics serves (litellm_settings.prometheus_metric_names): Tollgate's own
// families (tollgate_*), LiteLLM's (litellm_*, so dashboards built for LiteLLM's proxy keep
// working; docs/metrics.md maps one to the other), or both. And the label values LiteLLM
// derives that Tollgate has to derive the same way. Pure and table-tested.
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core {

enum class MetricNames { tollgate, litellm, both };

// "tollgate" | "litellm" | "both"; nullopt for anything else.
std::optional<MetricNames> parse_metric_names(std::string_view text);
bool serves_tollgate_names(MetricNames names);
bool serves_litellm_names(MetricNames names);
// Whether a family of this name is exposed: tollgate_* and litellm_* by the option, any other
// (there are none today) always.
bool family_served(std::string_view family, MetricNames names);

// LiteLLM's exception_class label for a failed call answered with `status` (the OpenAI SDK's
// exception class names LiteLLM raises: 429 → "RateLimitError", ...).
std::string_view litellm_exception_class(int status);

// An api_base as a label value: scheme, host, port and path only — user info and the query
// (where a provider credential could sit) never reach a metric.
std::string metric_safe_url(std::string_view url);

}  // namespace tollgate::core
