#include "tools/mock/prng.h"

#include <cstdint>
#include <functional>
#include <random>
#include <thread>

namespace tollgate::mock {

namespace {

std::uint64_t seed() {
  std::random_device device;
  const std::uint64_t high = device();
  const std::uint64_t low = device();
  const auto thread = static_cast<std::uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  return ((high << 32) ^ low ^ thread) | 1;  // xorshift must not start at 0
}

}  // namespace

double random_unit() {
  // xorshift64*
  thread_local std::uint64_t state = seed();
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  const std::uint64_t x = state * 2685821657736338717ull;
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

}  // namespace tollgate::mock
