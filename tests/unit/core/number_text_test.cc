#include <catch2/catch.hpp>

#include <cstdio>

#include "core/number_text.h"

using namespace tollgate::core;

namespace {

std::string printf_text(const char* format, double value) {
  char buffer[64];
  const int n = std::snprintf(buffer, sizeof buffer, format, value);
  return {buffer, static_cast<std::size_t>(n)};
}

}  // namespace

TEST_CASE("number text matches printf's %g and %f at the precisions the gateway uses", "[core]") {
  const double values[] = {
      0,           1,    -1,      0.5,     0.131,    12.3456789,      1e-7, 5.7e-06, 0.00039200000000000004,
      123456789.0, 1e21, 2.5e-12, 1000000, 999999.5, 3.14159265358979};
  for (const double v : values) {
    INFO(v);
    CHECK(general_text(v, 6) == printf_text("%.6g", v));
    CHECK(general_text(v, 10) == printf_text("%.10g", v));
    CHECK(fixed_text(v, 3) == printf_text("%.3f", v));
  }
}
