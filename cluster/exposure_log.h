#pragma once
// The write-ahead record of what each node may have spent that the store may not show yet
// (docs/cluster.md, "Exposure records"). An owner records a node's exposure — its holding (budget, requests,
// tokens, slots) plus the spend it had not flushed when it asked — in Redis BEFORE the grant
// reaches the node, so when a node dies or drops out of view (the owner itself included)
// whoever owns the entity next counts what that node might still use or have in its journal:
//   HSET tollgate:cluster:<name>:exposure:<entity> <node incarnation> <core::encode_exposure>
// (PEXPIRE 1 day).
// A thread of its own talks to Redis; callers are never blocked.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/lease_handover.h"
#include "persistence/redis_connection.h"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace tollgate::cluster {

class ExposureLog {
 public:
  using Records = std::vector<std::pair<std::string, core::Exposure>>;  // node incarnation → exposure

  ExposureLog(const std::string& redis_url, const std::string& cluster_name, prometheus::Registry& metrics);
  ~ExposureLog();

  // `then` runs once Redis has the record, or once writing it failed (logged and counted: the
  // grant goes out all the same, and only a death of that node before the next record could
  // then be under-counted).
  void record(const std::string& entity, const std::string& node, const core::Exposure& exposure,
              std::function<void()> then);
  // Every node's last record for the entity (empty when Redis cannot be read: logged).
  void read(const std::string& entity, std::function<void(Records)> done);
  void stop();

 private:
  void run();
  std::string key(const std::string& entity) const { return prefix_ + entity; }
  redisContext* connection();

  std::optional<persistence::RedisAddress> address_;
  std::string prefix_;
  persistence::RedisContextPtr context_;
  prometheus::Counter& failures_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void(redisContext*)>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tollgate::cluster
