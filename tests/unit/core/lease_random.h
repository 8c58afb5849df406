#pragma once
// The random draws of the lease property tests (fixed seeds: every run is the same).
#include <chrono>
#include <cstdint>
#include <random>

#include "core/lease.h"

namespace tollgate::testing {

class LeaseDice {
 public:
  explicit LeaseDice(std::uint64_t seed) : rng_(seed) {}

  // An index below n (0 when n is 0).
  std::size_t pick(std::size_t n) {
    return n == 0 ? 0 : static_cast<std::size_t>(uniform(0, static_cast<double>(n))) % n;
  }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }
  std::mt19937_64& engine() { return rng_; }

  // A request to admit: its worst-case cost and token estimate.
  core::LedgerRequest request() { return core::LedgerRequest{"m", uniform(0.01, 1.5), uniform_int(1, 400)}; }

  // What a call reserved at `worst` usd and `estimate` tokens really cost: within the
  // reservation, or (3% of calls) above it, as a provider may charge.
  struct Charge {
    double cost = 0;
    std::int64_t tokens = 0;
    bool above = false;
  };
  Charge charge(double worst, std::int64_t estimate) {
    Charge c;
    c.cost = worst * uniform(0, 1);
    c.tokens = uniform_int(0, estimate);
    if (uniform(0, 1) < 0.03) {
      c.cost = worst * uniform(1.01, 1.5);
      c.tokens = estimate + uniform_int(1, 50);
      c.above = true;
    }
    return c;
  }

  // Time passing: mostly short, sometimes past a lease ttl, now and then past a reservation ttl.
  std::chrono::milliseconds time_step() {
    const double kind = uniform(0, 1);
    return std::chrono::milliseconds(kind < 0.85   ? uniform_int(1, 300)
                                     : kind < 0.97 ? uniform_int(500, 3000)
                                                   : uniform_int(5000, 15000));
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace tollgate::testing
