#include <catch2/catch.hpp>

#include "core/utf8.h"
#include "tests/unit/core/utf8_samples.h"

using namespace tollgate::core;

TEST_CASE("is_utf8 accepts well-formed UTF-8 only", "[core][utf8]") {
  CHECK(is_utf8(""));
  for (const auto& sample : tollgate::testing::utf8_samples()) {
    INFO(sample.name);
    CHECK(is_utf8(sample.bytes) == sample.valid);
  }
}
