#include "identity/key_cache.h"

#include <mutex>

namespace tollgate::identity {

KeyCache::KeyCache() : KeyCache(Options{}) {}
KeyCache::KeyCache(Options options) : options_(options) {}

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
  return Lookup::hit;
}

void KeyCache::store(const std::string& hash, Entry entry, std::uint64_t generation_at_start) {
  auto& s = shard(hash);
  std::unique_lock lock(s.mutex);
  // Checked under the shard lock: invalidations take it too, so no fill can slip in after one.
  if (generation_.load(std::memory_order_acquire) != generation_at_start) {
    return;
  }
  s.entries[hash] = std::move(entry);
}

void KeyCache::put(const std::string& hash, KeyIdentityPtr identity, std::uint64_t generation_at_start) {
  store(hash, Entry{std::move(identity), Clock::now() + options_.positive_ttl}, generation_at_start);
}

void KeyCache::put_missing(const std::string& hash, std::uint64_t generation_at_start) {
  store(hash, Entry{nullptr, Clock::now() + options_.negative_ttl}, generation_at_start);
}

void KeyCache::invalidate(const std::string& hash) {
  auto& s = shard(hash);
  std::unique_lock lock(s.mutex);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  s.entries.erase(hash);
}

void KeyCache::invalidate_all() {
  generation_.fetch_add(1, std::memory_order_acq_rel);  // as in invalidate_if: no stale fill after it
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
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
      } else {
        ++it;
      }
    }
  }
}

std::size_t KeyCache::size() const {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::shared_lock lock(s.mutex);
    n += s.entries.size();
  }
  return n;
}

}  // namespace tollgate::identity
