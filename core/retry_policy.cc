#include "core/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace tollgate::core {

std::string_view failure_class_name(FailureClass c) {
  switch (c) {
    case FailureClass::rate_limited: return "rate_limited";
    case FailureClass::server_error: return "server_error";
    case FailureClass::timeout: return "timeout";
    case FailureClass::connection: return "connection_error";
    case FailureClass::context_window: return "context_window_exceeded";
    case FailureClass::auth: return "auth_error";
    case FailureClass::not_found: return "not_found";
    case FailureClass::bad_request: return "bad_request";
  }
  return "error";
}

FailureClass classify_status(int status, std::string_view body) {
  if (status == 429) return FailureClass::rate_limited;
  if (status == 408) return FailureClass::timeout;
  if (status >= 500) return FailureClass::server_error;
  if (status == 401 || status == 403) return FailureClass::auth;
  if (status == 404) return FailureClass::not_found;
  if (status == 400 || status == 413) {
    for (std::string_view marker : {"context_length_exceeded", "maximum context length", "prompt is too long",
                                    "context window", "too many tokens"}) {
      if (body.find(marker) != std::string_view::npos) return FailureClass::context_window;
    }
  }
  return FailureClass::bad_request;
}

bool is_retryable(FailureClass c) {
  return c == FailureClass::rate_limited || c == FailureClass::server_error || c == FailureClass::timeout ||
         c == FailureClass::connection;
}

std::chrono::milliseconds retry_backoff(int attempt, std::optional<double> retry_after_seconds) {
  if (retry_after_seconds && *retry_after_seconds >= 0) {
    return std::chrono::milliseconds(static_cast<long long>(std::min(*retry_after_seconds, 10.0) * 1000.0));
  }
  const int exponent = std::clamp(attempt - 1, 0, 10);
  return std::chrono::milliseconds(std::min<long long>(50LL << exponent, 2000));
}

bool should_cool_down(const CooldownInput& in) {
  switch (in.failure) {
    case FailureClass::bad_request:
    case FailureClass::context_window: return false;
    case FailureClass::rate_limited:
    case FailureClass::auth:
    case FailureClass::not_found: return !in.only_deployment || in.fails_this_minute > in.allowed_fails;
    case FailureClass::timeout:
    case FailureClass::server_error:
    case FailureClass::connection: return in.fails_this_minute > in.allowed_fails;
  }
  return false;
}

bool uses_context_window_fallbacks(FailureClass c) { return c == FailureClass::context_window; }

}  // namespace tollgate::core
