#include <catch2/catch.hpp>

#include "core/duration.h"

using tollgate::core::parse_duration;
using namespace std::chrono;

TEST_CASE("durations in LiteLLM units", "[core][duration]") {
  CHECK(parse_duration("30s") == seconds(30));
  CHECK(parse_duration("15m") == minutes(15));
  CHECK(parse_duration("1h") == hours(1));
  CHECK(parse_duration("7d") == hours(24 * 7));
  CHECK(parse_duration("2w") == hours(24 * 14));
  CHECK(parse_duration("1mo") == hours(24 * 30));
}

TEST_CASE("malformed durations are rejected", "[core][duration]") {
  for (const char* bad : {"", "s", "0s", "-1s", "1", "1x", "1.5h", "h1", "1 h", "99999999999d"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("a budget_duration as a reset period in milliseconds", "[core][duration]") {
  CHECK_FALSE(tollgate::core::reset_period_ms(std::nullopt));
  CHECK(tollgate::core::reset_period_ms(std::string("1h")) == 3'600'000);
  CHECK(tollgate::core::reset_period_ms(std::string("30d")) == 2'592'000'000);
  CHECK(tollgate::core::reset_period_ms(std::string("soon")) == 0);  // resets once, never again
}
