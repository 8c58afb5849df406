#pragma once
// A consistent-hash ring over cluster members: which node owns an entity (a key, team, user or
// organization budget). Pure and deterministic: every node that knows the same member ids builds
// the same ring, in any order, on any build (the hash is fixed here, never std::hash).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core {

// 64-bit FNV-1a followed by MurmurHash3's fmix64 finalizer: FNV alone spreads near-identical
// strings ("n1#0", "n1#1") poorly, the finalizer makes every input bit reach every output bit.
std::uint64_t ring_hash(std::string_view text);

class HashRing {
 public:
  // Points per member: with 256 a member's share of the keys stays within about ±15% of 1/N
  // (tests/unit/core/hash_ring_test.cc measures it), at 2,560 points for 10 members.
  static constexpr int kDefaultVirtualNodes = 256;

  HashRing() = default;  // empty: owns nothing
  // Duplicates are ignored; the order of `members` does not matter.
  explicit HashRing(std::vector<std::string> members, int virtual_nodes = kDefaultVirtualNodes);

  bool empty() const { return members_.empty(); }
  // Sorted, unique.
  const std::vector<std::string>& members() const { return members_; }
  // The member owning `entity_key`: the first point clockwise from the key's hash. Empty when
  // the ring is empty.
  std::string_view owner_of(std::string_view entity_key) const;
  // Identifies the ring (members and points per member): equal on every node that built the
  // same ring, so nodes can compare rings by this number alone.
  std::uint64_t fingerprint() const { return fingerprint_; }
  // The fingerprint as 16 hex digits, for logs and /health/readiness.
  std::string fingerprint_hex() const;

 private:
  struct Point {
    std::uint64_t hash;
    std::uint32_t member;  // index into members_
  };
  std::vector<std::string> members_;
  std::vector<Point> points_;  // sorted by (hash, member)
  std::uint64_t fingerprint_ = 0;
};

}  // namespace tollgate::core
