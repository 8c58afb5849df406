#include "core/metric_names.h"

#include "core/starts_with.h"
#include "core/url_split.h"

namespace tollgate::core {

std::optional<MetricNames> parse_metric_names(std::string_view text) {
  if (text == "tollgate") return MetricNames::tollgate;
  if (text == "litellm") return MetricNames::litellm;
  if (text == "both") return MetricNames::both;
  return std::nullopt;
}

bool serves_tollgate_names(MetricNames names) { return names != MetricNames::litellm; }
bool serves_litellm_names(MetricNames names) { return names != MetricNames::tollgate; }

bool family_served(std::string_view family, MetricNames names) {
  if (starts_with(family, "tollgate_")) return serves_tollgate_names(names);
  if (starts_with(family, "litellm_")) return serves_litellm_names(names);
  return true;
}

std::string_view litellm_exception_class(int status) {
  switch (status) {
    case 400: return "BadRequestError";
    case 401: return "AuthenticationError";
    case 403: return "PermissionDeniedError";
    case 404: return "NotFoundError";
    case 408: return "Timeout";
    case 413: return "BadRequestError";
    case 422: return "UnprocessableEntityError";
    case 429: return "RateLimitError";
    case 503: return "ServiceUnavailableError";
    case 504: return "Timeout";
    default: return status >= 500 ? "InternalServerError" : "APIError";
  }
}

std::string metric_safe_url(std::string_view url) {
  const auto parts = split_url(url);
  std::string out = parts.scheme ? std::string(*parts.scheme) + "://" : std::string();
  out += parts.host_port;
  out += parts.path;
  return out;
}

}  // namespace tollgate::core
