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
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "identity/key_identity.h"

namespace tollgate::identity {

class KeyCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::chrono::milliseconds positive_ttl{300'000};
    std::chrono::milliseconds negative_ttl{5'000};
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

 private:
  struct Entry {
    KeyIdentityPtr identity;  // null: known missing
    Clock::time_point expires;
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& shard(const std::string& hash) const;
  void store(const std::string& hash, Entry entry, std::uint64_t generation_at_start);

  Options options_;
  mutable std::array<Shard, 16> shards_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace tollgate::identity
