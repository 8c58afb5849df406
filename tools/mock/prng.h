#pragma once
// A per-thread pseudo-random generator for flaky-NNN-PP and --fail-rate: no locks, no shared
// state, a few instructions per draw. Not for anything that needs real randomness.
namespace tollgate::mock {

// Uniform in [0, 1).
double random_unit();

}  // namespace tollgate::mock
