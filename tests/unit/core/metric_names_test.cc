#include <catch2/catch.hpp>

#include "core/metric_names.h"

using namespace tollgate::core;

TEST_CASE("metric names: the option and which families it serves", "[core][metric_names]") {
  CHECK(parse_metric_names("tollgate") == MetricNames::tollgate);
  CHECK(parse_metric_names("litellm") == MetricNames::litellm);
  CHECK(parse_metric_names("both") == MetricNames::both);
  CHECK_FALSE(parse_metric_names("LiteLLM"));
  CHECK_FALSE(parse_metric_names(""));
  struct Row {
    const char* family;
    bool tollgate, litellm, both;
  };
  const Row rows[] = {
      {"tollgate_http_requests_total", true, false, true},
      {"litellm_spend_metric_total", false, true, true},
      {"litellm_deployment_state", false, true, true},
      {"process_cpu_seconds_total", true, true, true},  // neither prefix: always
      {"tollgate", true, true, true},                   // the prefix needs its underscore
  };
  for (const auto& row : rows) {
    CAPTURE(row.family);
    CHECK(family_served(row.family, MetricNames::tollgate) == row.tollgate);
    CHECK(family_served(row.family, MetricNames::litellm) == row.litellm);
    CHECK(family_served(row.family, MetricNames::both) == row.both);
  }
}

TEST_CASE("metric names: LiteLLM's exception classes", "[core][metric_names]") {
  const std::pair<int, const char*> rows[] = {
      {400, "BadRequestError"},
      {401, "AuthenticationError"},
      {403, "PermissionDeniedError"},
      {404, "NotFoundError"},
      {408, "Timeout"},
      {429, "RateLimitError"},
      {500, "InternalServerError"},
      {502, "InternalServerError"},
      {503, "ServiceUnavailableError"},
      {504, "Timeout"},
      {0, "APIError"},
      {418, "APIError"},
  };
  for (const auto& [status, name] : rows) {
    CAPTURE(status);
    CHECK(litellm_exception_class(status) == name);
  }
}

TEST_CASE("metric names: an api_base never carries credentials into a label", "[core][metric_names]") {
  const std::pair<const char*, const char*> rows[] = {
      {"https://api.openai.com/v1", "https://api.openai.com/v1"},
      {"https://user:secret@host.example:8443/v1?api-key=abc", "https://host.example:8443/v1"},
      {"http://127.0.0.1:9", "http://127.0.0.1:9"},
      {"https://host/path#frag", "https://host/path"},
      {"https://a@b@host/x", "https://host/x"},
      {"HTTPS://u:p@H.example/v1?key=k", "HTTPS://H.example/v1"},
      {"https://host?u=a@b/c", "https://host"},  // an '@' in the query is no userinfo, and the query goes
      {"http://[::1]:8080/v1#x", "http://[::1]:8080/v1"},
      {"", ""},
  };
  for (const auto& [url, safe] : rows) {
    CAPTURE(url);
    CHECK(metric_safe_url(url) == safe);
  }
}
