#include "core/metric_names.h"

#include "core/starts_with.h"

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
  url = url.substr(0, url.find_first_of("?#"));
  const auto scheme_end = url.find("://");
  const auto authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto path_start = url.find('/', authority_start);
  const auto authority = url.substr(
      authority_start, path_start == std::string_view::npos ? std::string_view::npos : path_start - authority_start);
  const auto at = authority.rfind('@');
  std::string out(url.substr(0, authority_start));
  out += at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (path_start != std::string_view::npos) out += url.substr(path_start);
  return out;
}

}  // namespace tollgate::core
