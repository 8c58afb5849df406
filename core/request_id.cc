#include "core/request_id.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

namespace tollgate::core {

bool is_well_formed_request_id(std::string_view candidate) {
  if (candidate.empty() || candidate.size() > 128) {
    return false;
  }
  for (char c : candidate) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string generate_request_id() {
  // Not a secret: a per-thread PRNG seeded once is enough for uniqueness.
  thread_local std::mt19937_64 rng{std::random_device{}() ^ (static_cast<std::uint64_t>(std::random_device{}()) << 32)};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t hi = rng();
  std::uint64_t lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  std::string id(36, '-');
  std::size_t pos = 0;
  auto put = [&](std::uint64_t value, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
        ++pos;
      }
      id[pos++] = kHex[(value >> (i * 4)) & 0xf];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return id;
}

namespace {

// The id's first 64 bits (48-bit milliseconds, version 7, 12-bit rand_a), made strictly
// increasing within the process (RFC 9562 §6.2): an id made in the same millisecond as the
// last one, or while the clock stepped back, counts up from it instead, so ids sort in the
// order they were made (the spend journal replays by id). A full counter moves on to the next
// millisecond's first value rather than overflowing into the version field.
std::uint64_t monotonic_high_bits(std::uint64_t candidate) {
  static std::atomic<std::uint64_t> last{0};
  std::uint64_t previous = last.load(std::memory_order_relaxed);
  std::uint64_t next = 0;
  do {
    if (candidate > previous) {
      next = candidate;
    } else if ((previous & 0x0fff) == 0x0fff) {
      next = (((previous >> 16) + 1) << 16) | 0x7000;
    } else {
      next = previous + 1;
    }
  } while (!last.compare_exchange_weak(previous, next, std::memory_order_relaxed));
  return next;
}

}  // namespace

std::string generate_time_ordered_id() {
  thread_local std::mt19937_64 rng{std::random_device{}() ^ (static_cast<std::uint64_t>(std::random_device{}()) << 32)};
  static constexpr char kHex[] = "0123456789abcdef";
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  const std::uint64_t hi = monotonic_high_bits((ms << 16) | 0x7000 | (rng() & 0x07ff));  // version 7
  std::uint64_t lo = (rng() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;            // variant 1
  std::string id(36, '-');
  std::size_t pos = 0;
  auto put = [&](std::uint64_t value) {
    for (int i = 15; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      id[pos++] = kHex[(value >> (i * 4)) & 0xf];
    }
  };
  put(hi);
  put(lo);
  return id;
}

std::string choose_request_id(std::string_view client_supplied) {
  if (is_well_formed_request_id(client_supplied)) {
    return std::string(client_supplied);
  }
  return generate_request_id();
}

}  // namespace tollgate::core
