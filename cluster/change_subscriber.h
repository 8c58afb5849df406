#pragma once
// Receives the other nodes' committed changes and applies them to this node's key cache
// through the same KeyCacheInvalidator as local changes. One thread: connect, SUBSCRIBE, then
// read; a lost connection is retried with backoff. Every time the subscription is (re)made the
// whole key cache is dropped once — whatever changed while this node was not listening is
// unknown — and a jump in a sender's sequence (a lost message) does the same
// (docs/cluster.md, "Change fan-out").
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "cluster/change_metrics.h"
#include "cluster/change_streams.h"
#include "identity/key_changes.h"
#include "persistence/redis_url.h"

struct redisContext;
struct redisReply;

namespace tollgate::cluster {

class ChangeSubscriber {
 public:
  struct Options {
    persistence::RedisAddress redis;
    std::string channel;
    std::uint64_t instance = 0;  // this node's: its own messages are skipped
  };
  ChangeSubscriber(Options options, identity::KeyCacheInvalidator& cache, ChangeMetrics& metrics);
  ~ChangeSubscriber();

  void start();
  void stop();

 private:
  void run();
  bool subscribe(redisContext& context, std::string& error);
  void listen(redisContext* context);
  void handle(const redisReply& reply);
  void apply(const std::string& payload);
  bool sleep_unless_stopped(std::chrono::milliseconds delay);  // false when stopping

  const Options options_;
  identity::KeyCacheInvalidator& cache_;
  ChangeMetrics& metrics_;
  ChangeStreams streams_;  // the subscriber thread's only
  std::atomic<bool> stopping_{false};
  int stop_fd_ = -1;  // an eventfd: wakes the thread out of poll() at once
  std::thread thread_;
};

}  // namespace tollgate::cluster
