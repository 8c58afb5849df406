#include "cluster/redis_registry.h"

#include <hiredis/hiredis.h>

#include <algorithm>

#include "telemetry/log.h"

namespace tollgate::cluster {

RedisRegistry::RedisRegistry(const std::string& redis_url, const std::string& cluster_name,
                             std::chrono::milliseconds timeout)
    : address_(persistence::parse_redis_url(redis_url)),
      prefix_("tollgate:cluster:" + cluster_name + ":"),
      members_key_(prefix_ + "members"),
      timeout_(timeout) {}

core::Result<redisContext*> RedisRegistry::connection() {
  if (context_ && context_->err == 0) return context_.get();
  if (!address_) return core::service_unavailable("invalid redis URL (expected redis://host:port)");
  auto connected = persistence::connect_redis(*address_, timeout_);
  if (!connected) return std::move(connected).error();
  context_ = std::move(*connected);
  return context_.get();
}

core::Result<std::vector<NodeRecord>> RedisRegistry::heartbeat(const NodeRecord& self, std::chrono::milliseconds ttl) {
  auto redis = connection();
  if (!redis) return std::move(redis).error();
  const auto ttl_ms = std::to_string(ttl.count());
  const auto record = encode_node_record(self);
  const auto key = node_key(self.node_id);
  // The record first, then the index: a reader that finds the id always finds a record for it.
  if (auto set = persistence::redis_command(**redis, {"SET", key, record, "PX", ttl_ms}); !set) {
    context_.reset();
    return std::move(set).error();
  }
  if (auto added = persistence::redis_command(**redis, {"SADD", members_key_, self.node_id}); !added) {
    context_.reset();
    return std::move(added).error();
  }
  auto nodes = live_nodes(**redis);
  if (!nodes) context_.reset();
  return nodes;
}

core::Result<std::vector<NodeRecord>> RedisRegistry::live_nodes(redisContext& redis) {
  auto ids = persistence::redis_command(redis, {"SMEMBERS", members_key_});
  if (!ids) return std::move(ids).error();
  std::vector<std::string> members;
  for (std::size_t i = 0; i < (*ids)->elements; ++i) {
    const auto* element = (*ids)->element[i];
    if (element->type == REDIS_REPLY_STRING) members.emplace_back(element->str, element->len);
  }
  std::vector<NodeRecord> live;
  if (members.empty()) return live;
  std::vector<std::string> keys;
  std::vector<std::string_view> mget{"MGET"};
  keys.reserve(members.size());
  for (const auto& id : members) keys.push_back(node_key(id));
  for (const auto& key : keys) mget.emplace_back(key);
  auto records = persistence::redis_command(redis, mget);
  if (!records) return std::move(records).error();
  for (std::size_t i = 0; i < members.size() && i < (*records)->elements; ++i) {
    const auto* element = (*records)->element[i];
    if (element->type != REDIS_REPLY_STRING) {
      // Its key expired (the node stopped heartbeating): drop the stale index entry. A node
      // that heartbeats again re-adds itself.
      if (auto removed = persistence::redis_command(redis, {"SREM", members_key_, members[i]}); !removed) {
        return std::move(removed).error();
      }
      continue;
    }
    auto record = decode_node_record(std::string_view(element->str, element->len));
    if (!record || record->node_id != members[i]) {
      telemetry::log_warn("cluster_record_unreadable", {{"node_id", members[i]}});
      continue;
    }
    live.push_back(std::move(*record));
  }
  std::sort(live.begin(), live.end(), [](const NodeRecord& a, const NodeRecord& b) { return a.node_id < b.node_id; });
  return live;
}

core::Status RedisRegistry::deregister(const std::string& node_id) {
  auto redis = connection();
  if (!redis) return std::move(redis).error();
  if (auto removed = persistence::redis_command(**redis, {"SREM", members_key_, node_id}); !removed) {
    context_.reset();
    return std::move(removed).error();
  }
  if (auto deleted = persistence::redis_command(**redis, {"DEL", node_key(node_id)}); !deleted) {
    context_.reset();
    return std::move(deleted).error();
  }
  return {};
}

}  // namespace tollgate::cluster
