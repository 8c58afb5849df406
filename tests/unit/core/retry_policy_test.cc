#include <catch2/catch.hpp>

#include "core/retry_policy.h"

using namespace tollgate::core;
using namespace std::chrono_literals;

TEST_CASE("upstream statuses are classified", "[core][retry]") {
  struct Row {
    int status;
    const char* body;
    FailureClass expected;
  };
  const Row rows[] = {
      {429, "", FailureClass::rate_limited},
      {500, "", FailureClass::server_error},
      {502, "", FailureClass::server_error},
      {503, "", FailureClass::server_error},
      {529, "", FailureClass::server_error},
      {408, "", FailureClass::timeout},
      {401, "", FailureClass::auth},
      {403, "", FailureClass::auth},
      {404, "", FailureClass::not_found},
      {400, R"({"error":{"code":"context_length_exceeded"}})", FailureClass::context_window},
      {400, "This model's maximum context length is 8192 tokens", FailureClass::context_window},
      {400, R"({"error":{"message":"prompt is too long: 300000 tokens"}})", FailureClass::context_window},
      {400, R"({"error":{"message":"bad temperature"}})", FailureClass::bad_request},
      {422, "", FailureClass::bad_request},
  };
  for (const auto& row : rows) {
    INFO(row.status << " " << row.body);
    CHECK(classify_status(row.status, row.body) == row.expected);
  }
}

TEST_CASE("only transient failures are retried", "[core][retry]") {
  CHECK(is_retryable(FailureClass::rate_limited));
  CHECK(is_retryable(FailureClass::server_error));
  CHECK(is_retryable(FailureClass::timeout));
  CHECK(is_retryable(FailureClass::connection));
  CHECK_FALSE(is_retryable(FailureClass::bad_request));
  CHECK_FALSE(is_retryable(FailureClass::context_window));
  CHECK_FALSE(is_retryable(FailureClass::auth));
  CHECK_FALSE(is_retryable(FailureClass::not_found));
}

TEST_CASE("backoff doubles, is capped, and honours retry-after", "[core][retry]") {
  CHECK(retry_backoff(1, std::nullopt) == 50ms);
  CHECK(retry_backoff(2, std::nullopt) == 100ms);
  CHECK(retry_backoff(3, std::nullopt) == 200ms);
  CHECK(retry_backoff(10, std::nullopt) == 2000ms);
  CHECK(retry_backoff(1, 1.5) == 1500ms);
  CHECK(retry_backoff(1, 120.0) == 10000ms);
  CHECK(retry_backoff(1, 0.0) == 0ms);
}

TEST_CASE("cooldown decisions", "[core][retry]") {
  struct Row {
    FailureClass failure;
    int fails;
    bool only;
    bool expected;
  };
  const Row rows[] = {
      {FailureClass::rate_limited, 1, false, true},  // 429 cools down at once
      {FailureClass::rate_limited, 1, true, false},  // ... unless it is the only deployment
      {FailureClass::rate_limited, 4, true, true},   // ... until it fails too often
      {FailureClass::auth, 1, false, true},
      {FailureClass::not_found, 1, false, true},
      {FailureClass::server_error, 3, false, false},  // allowed_fails = 3
      {FailureClass::server_error, 4, false, true},
      {FailureClass::timeout, 4, true, true},
      {FailureClass::connection, 2, false, false},
      {FailureClass::bad_request, 100, false, false},  // the request was at fault
      {FailureClass::context_window, 100, false, false},
  };
  for (const auto& row : rows) {
    INFO(failure_class_name(row.failure) << " fails=" << row.fails << " only=" << row.only);
    CHECK(should_cool_down({row.failure, row.fails, 3, row.only}) == row.expected);
  }
}

TEST_CASE("context-window failures use their own fallbacks", "[core][retry]") {
  CHECK(uses_context_window_fallbacks(FailureClass::context_window));
  CHECK_FALSE(uses_context_window_fallbacks(FailureClass::server_error));
}
