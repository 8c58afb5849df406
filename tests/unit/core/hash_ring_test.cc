// The consistent-hash ring: balance, minimal movement, determinism, edge cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "core/hash_ring.h"

using tollgate::core::HashRing;
using tollgate::core::ring_hash;

namespace {

constexpr int kKeys = 100'000;

std::vector<std::string> node_ids(int n) {
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) out.push_back("node-" + std::to_string(i) + ".example:4000");
  return out;
}

// Entity keys shaped like the ones owners will use.
std::string entity(int i) { return "key:" + std::to_string(i * 7919) + ":budget"; }

std::vector<std::string> owners(const HashRing& ring) {
  std::vector<std::string> out;
  out.reserve(kKeys);
  for (int i = 0; i < kKeys; ++i) out.emplace_back(ring.owner_of(entity(i)));
  return out;
}

std::map<std::string, int> shares(const HashRing& ring) {
  std::map<std::string, int> count;
  for (int i = 0; i < kKeys; ++i) ++count[std::string(ring.owner_of(entity(i)))];
  return count;
}

}  // namespace

TEST_CASE("ring_hash is a fixed function: the same value on every build and node", "[unit][hash_ring]") {
  // Golden values: a change here moves every entity to another owner across a rolling upgrade.
  CHECK(ring_hash("") == 0xd725c98e9509182eULL);
  CHECK(ring_hash("key:42") == 0xf194ad7a955202edULL);
  CHECK(ring_hash("a") != ring_hash("b"));
}

TEST_CASE("an empty ring owns nothing, a single node owns everything", "[unit][hash_ring]") {
  HashRing empty;
  CHECK(empty.empty());
  CHECK(empty.owner_of("key:1").empty());
  CHECK(empty.fingerprint() == 0);
  CHECK(HashRing(std::vector<std::string>{}).owner_of("key:1").empty());

  HashRing single({"only"});
  CHECK_FALSE(single.empty());
  for (int i = 0; i < 1000; ++i) REQUIRE(single.owner_of(entity(i)) == "only");
  CHECK(single.fingerprint() != 0);
  CHECK(single.fingerprint_hex().size() == 16);
}

TEST_CASE("each node's share of 100k keys is within 15% of 1/N (3 and 10 nodes)", "[unit][hash_ring]") {
  for (const int n : {3, 10}) {
    const HashRing ring(node_ids(n));
    const auto count = shares(ring);
    REQUIRE(count.size() == static_cast<std::size_t>(n));
    const double fair = static_cast<double>(kKeys) / n;
    for (const auto& [node, keys] : count) {
      INFO(n << " nodes: " << node << " owns " << keys << " keys, fair share " << fair);
      CHECK(std::abs(keys - fair) / fair <= 0.15);
    }
  }
}

TEST_CASE("adding one node moves about 1/(N+1) of the keys, all of them to the new node", "[unit][hash_ring]") {
  for (const int n : {3, 9}) {
    auto members = node_ids(n);
    const auto before = owners(HashRing(members));
    members.push_back("newcomer:4000");
    const auto after = owners(HashRing(members));
    int moved = 0;
    for (int i = 0; i < kKeys; ++i) {
      if (before[i] == after[i]) continue;
      ++moved;
      REQUIRE(after[i] == "newcomer:4000");  // nothing moves between the old members
    }
    const double expected = static_cast<double>(kKeys) / (n + 1);
    INFO(n << " → " << n + 1 << " nodes: " << moved << " keys moved, 1/(N+1) is " << expected);
    CHECK(std::abs(moved - expected) / expected <= 0.15);
  }
}

TEST_CASE("removing one node moves only its keys, about 1/N, and nothing else", "[unit][hash_ring]") {
  for (const int n : {3, 10}) {
    const auto members = node_ids(n);
    const auto before = owners(HashRing(members));
    const std::string leaving = members[1];
    auto remaining = members;
    remaining.erase(remaining.begin() + 1);
    const auto after = owners(HashRing(remaining));
    int moved = 0;
    for (int i = 0; i < kKeys; ++i) {
      if (before[i] == leaving) {
        ++moved;
        REQUIRE(after[i] != leaving);
      } else {
        REQUIRE(after[i] == before[i]);  // a key of a staying node keeps its owner
      }
    }
    const double expected = static_cast<double>(kKeys) / n;
    INFO(n << " → " << n - 1 << " nodes: " << moved << " keys moved, 1/N is " << expected);
    CHECK(std::abs(moved - expected) / expected <= 0.15);
  }
}

TEST_CASE("the same members in any order, with duplicates, build the same ring", "[unit][hash_ring]") {
  auto members = node_ids(7);
  const HashRing reference(members);
  std::mt19937 shuffle(12345);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(members.begin(), members.end(), shuffle);
    auto with_duplicate = members;
    with_duplicate.push_back(members.front());
    const HashRing ring(with_duplicate);
    CHECK(ring.members() == reference.members());
    CHECK(ring.fingerprint() == reference.fingerprint());
    for (int i = 0; i < 5000; ++i) REQUIRE(ring.owner_of(entity(i)) == reference.owner_of(entity(i)));
  }
}

TEST_CASE("the fingerprint tells different rings apart", "[unit][hash_ring]") {
  const auto three = node_ids(3);
  auto two = three;
  two.pop_back();
  CHECK(HashRing(three).fingerprint() != HashRing(two).fingerprint());
  CHECK(HashRing(three, 64).fingerprint() != HashRing(three, 128).fingerprint());
  // Ids that concatenate alike are still different members.
  CHECK(HashRing({"ab", "c"}).fingerprint() != HashRing({"a", "bc"}).fingerprint());
}
