#pragma once
// Node-local cache of resolved keys, by SHA-256. Reads take one shard's shared lock; misses
// are resolved by the caller from the store and put back. Unknown keys are remembered
// briefly (negative entries) so guessing keys cannot turn into one database query per guess.
//
// Stale fills are refused: every invalidation bumps a generation, and a fill that started
// before it is dropped — an in-flight lookup can never resurrect a key that was just updated,
// blocked or deleted (LiteLLM issue #25553).
//
// What to invalidate is decided by the store's change events (identity/key_changes.h), not by
// the callers that write.
//
// Bounded: at most `max_entries` (split evenly over the shards). A fill into a full shard first
// drops its expired entries, then the least recently used one. Recency is the time of the last
// hit, kept to `recency_resolution` (1 s) and written with a relaxed store under the shared
// lock at most once per resolution, so a hit stays a read of the shard; only a fill at the bound scans its shard (it
// follows a store query, which costs far more).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "identity/key_identity.h"

namespace tollgate::telemetry {
class CacheMetrics;
}

namespace tollgate::identity {

class KeyCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::chrono::milliseconds positive_ttl{300'000};
    std::chrono::milliseconds negative_ttl{5'000};
    std::size_t max_entries = 100'000;  // 0: no bound
    std::chrono::milliseconds recency_resolution{1'000};
    telemetry::CacheMetrics* metrics = nullptr;  // entries and evictions, when set
  };
  KeyCache();
  explicit KeyCache(Options options);

  enum class Lookup { hit, known_missing, miss };
  Lookup find(const std::string& hash, KeyIdentityPtr& out) const;

  // Take before reading the store; pass to put()/put_missing().
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void put(const std::string& hash, KeyIdentityPtr identity, std::uint64_t generation_at_start);
  void put_missing(const std::string& hash, std::uint64_t generation_at_start);

  void invalidate(const std::string& hash);
  // Drops every cached key whose identity `affected` answers true for (team, user and
  // organization changes touch many keys). Visits each entry under its shard's lock, one
  // shard at a time; lookups meanwhile wait only for their own shard.
  void invalidate_if(const std::function<bool(const KeyIdentity&)>& affected);
  // Drops every entry, unknown keys too. Only for when changes may have been missed (the
  // cluster's change subscription was lost): anything that knows what changed uses the two above.
  void invalidate_all();

  std::size_t size() const;
  std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    KeyIdentityPtr identity;  // null: known missing
    Clock::time_point expires;
    // Clock time (ms) of the last fill or hit, to recency_resolution: what LRU compares.
    mutable std::atomic<std::int64_t> used_ms{0};
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& shard(const std::string& hash) const;
  void store(const std::string& hash, KeyIdentityPtr identity, std::chrono::milliseconds ttl,
             std::uint64_t generation_at_start);
  // Makes room in a full shard (its lock held): every expired entry, else the least recently used.
  void make_room(Shard& s, Clock::time_point now);
  void erased(std::size_t n, bool evicted);
  std::int64_t recency(Clock::time_point t) const;

  Options options_;
  mutable std::array<Shard, 16> shards_;
  std::atomic<std::uint64_t> generation_{0};
  std::size_t shard_bound_;  // 0: none
  std::atomic<std::size_t> entries_{0};
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace tollgate::identity
