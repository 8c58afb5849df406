// The key cache's bound: a fill into a full shard drops the expired entries first, then the
// least recently used one; the size never passes max_entries and its metrics follow.
#include <catch2/catch.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "identity/key_cache.h"
#include "telemetry/cache_metrics.h"
#include "tests/support/metrics_text.h"

using namespace tollgate;
using identity::KeyCache;
using identity::KeyIdentity;
using identity::KeyIdentityPtr;
using namespace std::chrono_literals;

namespace {

KeyIdentityPtr identity_of(const std::string& hash) {
  auto id = std::make_shared<KeyIdentity>();
  id->key.token_hash = hash;
  return id;
}

// 16 shards by the hash's first hex digit: "a…" hashes share one shard.
KeyCache::Options one_per_shard() {
  KeyCache::Options o;
  o.max_entries = 16;
  o.recency_resolution = 1ms;
  return o;
}

bool cached(const KeyCache& cache, const std::string& hash) {
  KeyIdentityPtr out;
  return cache.find(hash, out) != KeyCache::Lookup::miss;
}

}  // namespace

TEST_CASE("key cache: a full shard evicts its least recently used entry", "[unit][identity][key_cache]") {
  auto options = one_per_shard();
  options.max_entries = 32;  // two per shard
  KeyCache cache(options);
  cache.put("a1", identity_of("a1"), cache.generation());
  std::this_thread::sleep_for(2ms);
  cache.put("a2", identity_of("a2"), cache.generation());
  std::this_thread::sleep_for(2ms);
  CHECK(cached(cache, "a1"));  // a hit: a1 is now the more recent
  std::this_thread::sleep_for(2ms);
  cache.put("a3", identity_of("a3"), cache.generation());
  CHECK(cached(cache, "a1"));
  CHECK_FALSE(cached(cache, "a2"));  // least recently used
  CHECK(cached(cache, "a3"));
  CHECK(cache.size() == 2);
  CHECK(cache.evictions() == 1);
  cache.put("b1", identity_of("b1"), cache.generation());  // another shard has its own room
  CHECK(cache.size() == 3);
  CHECK(cache.evictions() == 1);
}

TEST_CASE("key cache: expired entries make room before any live one is evicted", "[unit][identity][key_cache]") {
  auto options = one_per_shard();
  options.max_entries = 32;
  options.negative_ttl = 1ms;
  KeyCache cache(options);
  cache.put("a1", identity_of("a1"), cache.generation());
  cache.put_missing("a-unknown", cache.generation());
  std::this_thread::sleep_for(3ms);  // the unknown key's entry expired
  cache.put("a2", identity_of("a2"), cache.generation());
  CHECK(cached(cache, "a1"));
  CHECK(cached(cache, "a2"));
  CHECK(cache.size() == 2);
  CHECK(cache.evictions() == 0);  // an expired entry is not an eviction
}

TEST_CASE("key cache: refilling a cached key takes no room, invalidations keep the count",
          "[unit][identity][key_cache]") {
  KeyCache cache(one_per_shard());
  cache.put("a1", identity_of("a1"), cache.generation());
  cache.put("a1", identity_of("a1"), cache.generation());
  CHECK(cache.size() == 1);
  CHECK(cache.evictions() == 0);
  cache.put("b1", identity_of("b1"), cache.generation());
  cache.invalidate("a1");
  cache.invalidate("a1");  // twice: counted once
  CHECK(cache.size() == 1);
  cache.invalidate_if([](const KeyIdentity& k) { return k.key.token_hash == "b1"; });
  CHECK(cache.size() == 0);
  cache.put("c1", identity_of("c1"), cache.generation());
  cache.invalidate_all();
  CHECK(cache.size() == 0);
}

TEST_CASE("key cache: a bound of 0 keeps everything", "[unit][identity][key_cache]") {
  auto options = one_per_shard();
  options.max_entries = 0;
  KeyCache cache(options);
  for (int i = 0; i < 100; ++i) cache.put("a" + std::to_string(i), identity_of("a"), cache.generation());
  CHECK(cache.size() == 100);
  CHECK(cache.evictions() == 0);
}

TEST_CASE("key cache: threads filling and reading stay within the bound, metrics agree",
          "[unit][identity][key_cache]") {
  prometheus::Registry registry;
  telemetry::CacheMetrics metrics(registry, "keys", 64);
  KeyCache::Options options;
  options.max_entries = 64;
  options.metrics = &metrics;
  KeyCache cache(options);
  const char* hex = "0123456789abcdef";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string hash = std::string(1, hex[(i * 7 + t) % 16]) + std::to_string(t) + "-" + std::to_string(i);
        cache.put(hash, identity_of(hash), cache.generation());
        KeyIdentityPtr out;
        cache.find(hash, out);
        if (i % 50 == 0) cache.invalidate(hash);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(cache.size() <= 64);
  CHECK(cache.evictions() > 0);
  const auto text = prometheus::TextSerializer().Serialize(registry.Collect());
  CHECK(testing::metric_sum(text, "tollgate_cache_entries", R"(cache="keys")") == static_cast<double>(cache.size()));
  CHECK(testing::metric_sum(text, "tollgate_cache_evictions_total", R"(cache="keys")") ==
        static_cast<double>(cache.evictions()));
  CHECK(testing::metric_sum(text, "tollgate_cache_max_entries", R"(cache="keys")") == 64);
}
