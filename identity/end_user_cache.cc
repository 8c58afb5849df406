#include "identity/end_user_cache.h"

#include <functional>
#include <mutex>

namespace tollgate::identity {

EndUserCache::EndUserCache() : EndUserCache(Options{}) {}
EndUserCache::EndUserCache(Options options) : options_(options) {}

EndUserCache::Shard& EndUserCache::shard(const std::string& id) const {
  return shards_[std::hash<std::string>{}(id) % shards_.size()];
}

EndUserPtr EndUserCache::find(const std::string& id) const {
  auto& s = shard(id);
  std::shared_lock lock(s.mutex);
  const auto it = s.entries.find(id);
  if (it == s.entries.end() || it->second.expires <= Clock::now()) return nullptr;
  return it->second.end_user;
}

void EndUserCache::put(EndUserPtr end_user, std::uint64_t generation_at_start) {
  auto& s = shard(end_user->id);
  std::unique_lock lock(s.mutex);
  // Checked under the shard lock: invalidations take it too, so no fill can slip in after one.
  if (generation_.load(std::memory_order_acquire) != generation_at_start) return;
  const auto now = Clock::now();
  if (s.entries.size() >= options_.max_entries_per_shard) {
    for (auto it = s.entries.begin(); it != s.entries.end();) {
      it = it->second.expires <= now ? s.entries.erase(it) : std::next(it);
    }
    if (s.entries.size() >= options_.max_entries_per_shard) s.entries.clear();
  }
  const auto id = end_user->id;
  s.entries[id] = Entry{std::move(end_user), now + options_.ttl};
}

void EndUserCache::invalidate(const std::string& id) {
  auto& s = shard(id);
  std::unique_lock lock(s.mutex);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  s.entries.erase(id);
}

void EndUserCache::invalidate_all() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (auto& s : shards_) {
    std::unique_lock lock(s.mutex);
    s.entries.clear();
  }
}

std::size_t EndUserCache::size() const {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::shared_lock lock(s.mutex);
    n += s.entries.size();
  }
  return n;
}

void EndUserCache::committed(const std::vector<persistence::Change>& changes) noexcept {
  for (const auto& change : changes) {
    const bool everything = change.kind == persistence::ChangeKind::budget ||
                            (change.kind == persistence::ChangeKind::end_user && change.ids.empty());
    if (everything) {
      invalidate_all();
      return;
    }
    if (change.kind != persistence::ChangeKind::end_user) continue;
    for (const auto& id : change.ids) invalidate(id);
  }
}

}  // namespace tollgate::identity
