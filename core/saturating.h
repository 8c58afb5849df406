#pragma once
// Token counts that saturate at INT64_MAX instead of wrapping: a client's max_tokens of 9e18
// times n, or a context window times the samplings of a tool loop, must never turn into a small
// number in a bound (core/token_bound.h, core/server_tools.h).
#include <cstdint>
#include <limits>

namespace tollgate::core {

inline constexpr std::int64_t kSaturated = std::numeric_limits<std::int64_t>::max();

// a + b for b ≥ 0.
inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) { return a > kSaturated - b ? kSaturated : a + b; }

// a × b, 0 when either is not positive.
inline std::int64_t saturating_multiply(std::int64_t a, std::int64_t b) {
  if (a <= 0 || b <= 0) return 0;
  return a > kSaturated / b ? kSaturated : a * b;
}

}  // namespace tollgate::core
