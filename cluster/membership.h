#pragma once
// Who is in the cluster, and the consistent-hash ring over them (docs/cluster.md).
//
// With Redis, a thread of its own heartbeats this node's record every heartbeat_interval and
// reads the live set in the same round; when the set of node ids changes it rebuilds the ring
// and publishes a new immutable view. With a static peer list the view is built once. Nothing
// here runs on an I/O thread; readers get the latest view without blocking on Redis.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/node_record.h"
#include "cluster/snapshot_cell.h"
#include "config/cluster_settings.h"
#include "core/hash_ring.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tollgate::cluster {

class RedisRegistry;

struct MembershipOptions {
  NodeRecord self;
  std::string cluster_name;
  std::string redis_url;                   // used when static_members is empty
  std::vector<NodeRecord> static_members;  // cluster.peers: fixed membership, no Redis
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds node_ttl{5000};
};

// The options for this node: its id defaults to <hostname>:<http_port>.
MembershipOptions membership_options(const config::ClusterMembershipSettings& settings, const std::string& redis_url,
                                     std::uint16_t http_port);

struct MembershipView {
  std::string source;              // "redis" or "static"
  std::vector<NodeRecord> nodes;   // the live members, sorted by node id
  core::HashRing ring;             // over the ids of `nodes`
  std::uint64_t ring_version = 0;  // 1 for the first ring, +1 on every change of member ids
  // False while Redis cannot be reached: `nodes` and `ring` are then the last ones seen (this
  // node alone if it never reached Redis).
  bool registry_ok = true;
  std::string registry_error;
};

class Membership {
 public:
  Membership(MembershipOptions options, prometheus::Registry& metrics);
  ~Membership();

  // Registers and reads the members once before returning, then keeps heartbeating.
  void start();
  // Stops heartbeating and deregisters at once, so the others drop this node on their next round.
  void stop();

  const NodeRecord& self() const { return options_.self; }
  std::shared_ptr<const MembershipView> view() const { return cell_.load(); }
  const SnapshotCell<MembershipView>& views() const { return cell_; }

 private:
  void run();
  void heartbeat_round();
  // Publishes a view of `nodes` with the registry's state; a new ring when the ids changed.
  void publish(std::vector<NodeRecord> nodes, bool registry_ok, std::string registry_error);

  MembershipOptions options_;
  std::unique_ptr<RedisRegistry> registry_;  // null with static members
  SnapshotCell<MembershipView> cell_;
  prometheus::Gauge& members_gauge_;
  prometheus::Counter& ring_changes_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
};

}  // namespace tollgate::cluster
