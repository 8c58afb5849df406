#pragma once
// Cluster membership kept in Redis. Each node holds one key with its record and a TTL,
//   tollgate:cluster:<name>:node:<node_id> = {"node_id":..,"endpoint":..,"started_at_ms":..}  PX <ttl>
// refreshed by every heartbeat, and its id in the set tollgate:cluster:<name>:members, the index
// that lets a node list the others without scanning the keyspace. Redis expires the key of a
// node that stopped heartbeating; the first node to notice removes its id from the set.
// Blocking: used by the membership thread only.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cluster/node_record.h"
#include "core/result.h"
#include "persistence/redis_connection.h"

namespace tollgate::cluster {

class RedisRegistry {
 public:
  // `timeout` bounds the connect and each command. An unparsable URL fails every round.
  RedisRegistry(const std::string& redis_url, const std::string& cluster_name, std::chrono::milliseconds timeout);

  // Registers or refreshes `self` for `ttl` from now, then returns every live node's record
  // (self included), sorted by node id. Reconnects when the last connection failed.
  core::Result<std::vector<NodeRecord>> heartbeat(const NodeRecord& self, std::chrono::milliseconds ttl);
  // Removes `node_id` at once (a graceful stop).
  core::Status deregister(const std::string& node_id);

 private:
  core::Result<redisContext*> connection();
  core::Result<std::vector<NodeRecord>> live_nodes(redisContext& redis);
  std::string node_key(const std::string& node_id) const { return prefix_ + "node:" + node_id; }

  std::optional<persistence::RedisAddress> address_;
  std::string prefix_;
  std::string members_key_;
  std::chrono::milliseconds timeout_;
  persistence::RedisContextPtr context_;
};

}  // namespace tollgate::cluster
