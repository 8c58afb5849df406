#pragma once
// Node-local cache of resolved end users, by id, so a request names its end user without a
// store query each time. Unknown end users are cached too (an EndUser without a record):
// their defaults apply until a /customer call or their first spend creates a row.
//
// End-user ids are chosen by clients, so the cache is bounded: a shard that is full drops its
// expired entries, then everything it holds (the next requests re-read the store).
// Stale fills are refused as in KeyCache: every invalidation bumps a generation.
// It listens to the store's changes itself: an end user's change drops that end user, a
// budget's change drops every entry (any may link it, or take it as the default).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "identity/end_user.h"
#include "persistence/change.h"

namespace tollgate::identity {

class EndUserCache final : public persistence::ChangeListener {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::milliseconds ttl{60'000};
    std::size_t max_entries_per_shard = 8192;
  };
  EndUserCache();
  explicit EndUserCache(Options options);

  EndUserPtr find(const std::string& id) const;  // null: not cached
  // Take before reading the store; pass to put().
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void put(EndUserPtr end_user, std::uint64_t generation_at_start);
  void invalidate(const std::string& id);
  void invalidate_all();
  std::size_t size() const;

  void committed(const std::vector<persistence::Change>& changes) noexcept override;

 private:
  struct Entry {
    EndUserPtr end_user;
    Clock::time_point expires;
  };
  struct Shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  Shard& shard(const std::string& id) const;

  Options options_;
  mutable std::array<Shard, 16> shards_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace tollgate::identity
