#pragma once
// What to do when an upstream attempt fails: retry (and after how long), cool the deployment
// down, fall back to another model group, or give up. Pure decisions; the proxy applies them.
#include <chrono>
#include <optional>
#include <string_view>

namespace tollgate::core {

enum class FailureClass {
  rate_limited,    // 429
  server_error,    // 5xx
  timeout,         // no answer in time (408 too)
  connection,      // connect / TLS / reset before any response
  context_window,  // 400 saying the prompt is too long
  auth,            // 401, 403
  not_found,       // 404
  bad_request,     // other 4xx
};

std::string_view failure_class_name(FailureClass c);

// Classifies an HTTP failure from the upstream's status and (part of) its error body.
FailureClass classify_status(int status, std::string_view body);

// 429, 5xx, timeouts and connection errors are worth another attempt; client errors are not.
bool is_retryable(FailureClass c);

// Exponential backoff: 50 ms · 2^(attempt-1), at most 2 s; a provider's retry-after (seconds)
// wins when given, capped at 10 s so one request never sleeps longer.
std::chrono::milliseconds retry_backoff(int attempt, std::optional<double> retry_after_seconds);

struct CooldownInput {
  FailureClass failure;
  int fails_this_minute = 0;  // including this one
  int allowed_fails = 3;
  bool only_deployment = false;  // the group has a single deployment
};

// LiteLLM's rules: a 429 cools down at once (unless it is the group's only deployment),
// so do 401/404/408-style failures; otherwise cool down when the minute's failures exceed
// allowed_fails. Bad requests never cool a deployment down (the request was at fault).
bool should_cool_down(const CooldownInput& in);

// Context-window errors go to context_window_fallbacks; every other failure to fallbacks.
bool uses_context_window_fallbacks(FailureClass c);

}  // namespace tollgate::core
