#include "core/hash_ring.h"

#include <algorithm>
#include <cstdio>

namespace tollgate::core {
namespace {

constexpr std::uint64_t kFnvOffset = 1469598103934665603ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) {
  for (unsigned char c : text) {
    hash = (hash ^ c) * kFnvPrime;
  }
  return hash;
}

std::uint64_t fmix64(std::uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// The hash of a member's i-th point: its id, a NUL (node ids never hold one), '#', the index.
std::uint64_t point_hash(std::string_view member, int index) {
  const auto hash = fnv1a(fnv1a(kFnvOffset, member), std::string_view("\0#", 2));
  return fmix64(fnv1a(hash, std::to_string(index)));
}

}  // namespace

std::uint64_t ring_hash(std::string_view text) { return fmix64(fnv1a(kFnvOffset, text)); }

HashRing::HashRing(std::vector<std::string> members, int virtual_nodes) : members_(std::move(members)) {
  std::sort(members_.begin(), members_.end());
  members_.erase(std::unique(members_.begin(), members_.end()), members_.end());
  const int per_member = std::max(1, virtual_nodes);
  points_.reserve(members_.size() * static_cast<std::size_t>(per_member));
  std::uint64_t fingerprint = fnv1a(kFnvOffset, std::to_string(per_member));
  for (std::uint32_t m = 0; m < members_.size(); ++m) {
    fingerprint = fnv1a(fnv1a(fingerprint, members_[m]), std::string_view("\0", 1));
    for (int i = 0; i < per_member; ++i) {
      points_.push_back({point_hash(members_[m], i), m});
    }
  }
  fingerprint_ = members_.empty() ? 0 : fmix64(fingerprint);
  // Ties (two points with one hash) go to the smaller member id, on every node alike.
  std::sort(points_.begin(), points_.end(),
            [](const Point& a, const Point& b) { return a.hash != b.hash ? a.hash < b.hash : a.member < b.member; });
}

std::string HashRing::fingerprint_hex() const {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fingerprint_));
  return buffer;
}

std::string_view HashRing::owner_of(std::string_view entity_key) const {
  if (points_.empty()) return {};
  const auto hash = ring_hash(entity_key);
  auto it = std::lower_bound(points_.begin(), points_.end(), hash,
                             [](const Point& p, std::uint64_t h) { return p.hash < h; });
  if (it == points_.end()) it = points_.begin();  // past the last point: wrap around to the first
  return members_[it->member];
}

}  // namespace tollgate::core
