#pragma once
// LeaseAmounts for the lease tests: built in one line, compared with a float margin.
#include <catch2/catch.hpp>

#include <cstdint>

#include "core/lease.h"

namespace tollgate::testing {

inline core::LeaseAmounts amounts(double usd, std::int64_t requests, std::int64_t tokens, std::int64_t parallel) {
  core::LeaseAmounts a;
  a.usd = usd;
  a.requests = requests;
  a.tokens = tokens;
  a.parallel = parallel;
  return a;
}

inline bool same(const core::LeaseAmounts& a, const core::LeaseAmounts& b) {
  return a.usd == Approx(b.usd).margin(1e-12) && a.requests == b.requests && a.tokens == b.tokens &&
         a.parallel == b.parallel;
}

}  // namespace tollgate::testing
