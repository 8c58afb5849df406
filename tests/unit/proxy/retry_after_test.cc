#include <catch2/catch.hpp>

#include "proxy/attempt_outcome.h"

using tollgate::http::Headers;
using tollgate::proxy::retry_after_of;

TEST_CASE("an upstream's retry-after in seconds is read whatever its name's case", "[proxy][retry_after]") {
  CHECK(retry_after_of(Headers{{"Retry-After", "3"}}) == 3.0);
  CHECK(retry_after_of(Headers{{"retry-after", "0.5"}}) == 0.5);
  CHECK(retry_after_of(Headers{{"x-other", "1"}, {"RETRY-AFTER", "20"}}) == 20.0);
}

TEST_CASE("a retry-after that is no number, or none, leaves the backoff to the retry policy", "[proxy][retry_after]") {
  CHECK_FALSE(retry_after_of(Headers{}).has_value());
  CHECK_FALSE(retry_after_of(Headers{{"retry-after", ""}}).has_value());
  CHECK_FALSE(retry_after_of(Headers{{"retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"}}).has_value());
  CHECK_FALSE(retry_after_of(Headers{{"retry-after-ms", "300"}}).has_value());
}
