#include "identity/key_cache.h"

#include <algorithm>
#include <mutex>

#include "telemetry/cache_metrics.h"

namespace tollgate::identity {

KeyCache::KeyCache() : KeyCache(Options{}) {}
KeyCache::KeyCache(Options options)
    : options_(options),
      // Rounded up: the shards together hold at least max_entries (at most 15 more).
      shard_bound_(options.max_entries == 0 ? 0 : (options.max_entries + shards_.size() - 1) / shards_.size()) {}

KeyCache::Shard& KeyCache::shard(const std::string& hash) const {
  // The key is a hex SHA-256: its first character is already uniformly distributed.
  const char c = hash.empty() ? '0' : hash[0];
  const unsigned index =
      (c >= '0' && c <= '9') ? static_cast<unsigned>(c - '0') : static_cast<unsigned>((c | 0x20) - 'a' + 10);
  return shards_[index % shards_.size()];
}

KeyCache::Lookup KeyCache::find(const std::string& hash, KeyIdentityPtr& out) const {
  auto& s = shard(hash);
  std::shared_lock lock(s.mutex);
  const auto it = s.entries.find(hash);
  if (it == s.entries.end() || it->second.expires <= Clock::now()) {
    return Lookup::miss;
  }
  if (!it->second.identity) {
    return Lookup::known_missing;
  }
  out = it->second.identity;
  const auto now = recency(Clock::now());
  auto& used = it->second.used_ms;
  // Written once per resolution at most: a hit's cache line stays shared between the readers.
  if (used.load(std::memory_order_relaxed) != now) used.store(now, std::memory_order_relaxed);
  return Lookup::hit;
}

void KeyCache::store(const std::string& hash, KeyIdentityPtr identity, std::chrono::milliseconds ttl,
                     std::uint64_t generation_at_start) {
  auto& s = shard(hash);
  std::unique_lock lock(s.mutex);
  // Checked under the shard lock: invalidations take it too, so no fill can slip in after one.
  if (generation_.load(std::memory_order_acquire) != generation_at_start) {
    return;
  }
  const auto now = Clock::now();
  auto it = s.entries.find(hash);
  if (it == s.entries.end()) {
    if (shard_bound_ > 0 && s.entries.size() >= shard_bound_) make_room(s, now);
    it = s.entries.try_emplace(hash).first;
    entries_.fetch_add(1, std::memory_order_relaxed);
    if (options_.metrics) options_.metrics->added();
  }
  auto& entry = it->second;
  entry.identity = std::move(identity);
  entry.expires = now + ttl;
  entry.used_ms.store(recency(now), std::memory_order_relaxed);
}

void KeyCache::make_room(Shard& s, Clock::time_point now) {
  std::size_t expired = 0;
  auto oldest = s.entries.end();
  for (auto it = s.entries.begin(); it != s.entries.end();) {
    if (it->second.expires <= now) {
      it = s.entries.erase(it);
      ++expired;
      continue;
    }
    if (oldest == s.entries.end() ||
        it->second.used_ms.load(std::memory_order_relaxed) < oldest->second.used_ms.load(std::memory_order_relaxed)) {
      oldest = it;
    }
    ++it;
  }
  if (expired > 0) {
    erased(expired, false);  // expired: not an eviction
    return;
  }
  if (oldest != s.entries.end()) {
    s.entries.erase(oldest);
    erased(1, true);
  }
}

std::int64_t KeyCache::recency(Clock::time_point t) const {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const auto resolution = std::max<std::int64_t>(1, options_.recency_resolution.count());
  return ms - ms % resolution;
}

void KeyCache::erased(std::size_t n, bool evicted) {
  if (n == 0) return;
  entries_.fetch_sub(n, std::memory_order_relaxed);
  if (evicted) evictions_.fetch_add(n, std::memory_order_relaxed);
  if (options_.metrics) options_.metrics->removed(n, evicted);
}

void KeyCache::put(const std::string& hash, KeyIdentityPtr identity, std::uint64_t generation_at_start) {
  store(hash, std::move(identity), options_.positive_ttl, generation_at_start);
}

void KeyCache::put_missing(const std::string& hash, std::uint64_t generation_at_start) {
  store(hash, nullptr, options_.negative_ttl, generation_at_start);
}

void KeyCache::invalidate(const std::string& hash) {
  auto& s = shard(hash);
  std::unique_lock lock(s.mutex);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  if (s.entries.erase(hash) > 0) erased(1, false);
}

void KeyCache::invalidate_all() {
  generation_.fetch_add(1, std::memory_order_acq_rel);  // as in invalidate_if: no stale fill after it
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    erased(s.entries.size(), false);
    s.entries.clear();
  }
}

void KeyCache::invalidate_if(const std::function<bool(const KeyIdentity&)>& affected) {
  // The generation moves before any shard is visited: a fill that read the store before the
  // change either lands before its shard is visited (and is dropped there) or finds the new
  // generation (and is refused).
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    for (auto it = s.entries.begin(); it != s.entries.end();) {
      if (it->second.identity && affected(*it->second.identity)) {
        it = s.entries.erase(it);
        erased(1, false);
      } else {
        ++it;
      }
    }
  }
}

std::size_t KeyCache::size() const { return entries_.load(std::memory_order_relaxed); }

}  // namespace tollgate::identity
