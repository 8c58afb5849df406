#include "cluster/change_fanout.h"

#include <random>
#include <stdexcept>

#include "persistence/redis_url.h"

namespace tollgate::cluster {
namespace {

persistence::RedisAddress redis_address(const std::string& url) {
  auto address = persistence::parse_redis_url(url);
  if (!address) throw std::runtime_error("cluster: the Redis URL does not parse (expected redis://host:port)");
  return *address;
}

// Random per process start, never 0: a node restarted under the same node_id is a new sender
// whose sequence starts again at 1, and two nodes given the same node_id by mistake still
// tell their messages apart.
std::uint64_t new_instance() {
  std::random_device device;
  std::uint64_t value = 0;
  while (value == 0) value = (static_cast<std::uint64_t>(device()) << 32) | device();
  return value;
}

}  // namespace

ChangeFanout::ChangeFanout(const Options& options, identity::KeyCacheInvalidator& local, prometheus::Registry& registry)
    : ChangeFanout(options, redis_address(options.redis_url), new_instance(), local, registry) {}

ChangeFanout::ChangeFanout(const Options& options, const persistence::RedisAddress& redis, std::uint64_t instance,
                           identity::KeyCacheInvalidator& local, prometheus::Registry& registry)
    : local_(local),
      metrics_(registry),
      publisher_(ChangePublisher::Options{redis, options.channel, options.node_id, instance}, metrics_),
      subscriber_(ChangeSubscriber::Options{redis, options.channel, instance}, local, metrics_) {}

ChangeFanout::~ChangeFanout() { stop(); }

void ChangeFanout::start() {
  subscriber_.start();
  publisher_.start();
}

void ChangeFanout::stop() {
  publisher_.stop();
  subscriber_.stop();
}

void ChangeFanout::committed(const std::vector<persistence::Change>& changes) noexcept {
  local_.committed(changes);
  publisher_.enqueue(changes);
}

}  // namespace tollgate::cluster
