#pragma once
// The cluster's change fan-out on one node (docs/cluster.md, "Change fan-out"): the Store's
// ChangeListener when cluster mode is on. A committed change goes to this node's key cache at
// once (before the Store call returns, as on a single node) and into the publisher's queue;
// the subscriber applies the other nodes' changes to the same cache through the same
// KeyCacheInvalidator.
#include <memory>
#include <string>
#include <vector>

#include "cluster/change_metrics.h"
#include "cluster/change_publisher.h"
#include "cluster/change_subscriber.h"
#include "identity/key_changes.h"
#include "persistence/change.h"

namespace prometheus {
class Registry;
}

namespace tollgate::cluster {

class ChangeFanout final : public persistence::ChangeListener {
 public:
  struct Options {
    std::string redis_url;
    std::string channel;
    std::string node_id;
  };
  // Throws std::runtime_error when redis_url does not parse (start-up only).
  ChangeFanout(const Options& options, identity::KeyCacheInvalidator& local, prometheus::Registry& registry);
  ~ChangeFanout() override;

  void start();
  // After the Store stopped: publishes what its last writes queued, then stops both threads.
  void stop();

  void committed(const std::vector<persistence::Change>& changes) noexcept override;

 private:
  ChangeFanout(const Options& options, const persistence::RedisAddress& redis, std::uint64_t instance,
               identity::KeyCacheInvalidator& local, prometheus::Registry& registry);

  identity::KeyCacheInvalidator& local_;
  ChangeMetrics metrics_;
  ChangePublisher publisher_;
  ChangeSubscriber subscriber_;
};

}  // namespace tollgate::cluster
