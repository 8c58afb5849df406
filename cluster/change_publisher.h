#pragma once
// Sends this node's committed changes to the other nodes: `enqueue` runs on a store thread
// while the store holds its lock, so it only appends to a bounded queue (a full queue drops
// the change and counts it; its sequence number is still spent, so receivers see the gap and
// empty their caches). One thread PUBLISHes the queue in order, reconnecting with backoff; a
// message leaves the queue only once Redis accepted it.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/change_message.h"
#include "cluster/change_metrics.h"
#include "persistence/redis_url.h"

namespace tollgate::cluster {

class ChangePublisher {
 public:
  struct Options {
    persistence::RedisAddress redis;
    std::string channel;
    std::string node_id;
    std::uint64_t instance = 0;
    std::size_t queue_limit = 10'000;
  };
  ChangePublisher(Options options, ChangeMetrics& metrics);
  ~ChangePublisher();

  void start();
  // Publishes what is queued while Redis answers, then joins the thread.
  void stop();
  void enqueue(const std::vector<persistence::Change>& changes) noexcept;

 private:
  void run();
  bool wait_for_message(ChangeMessage& next);
  void back_off(std::chrono::milliseconds& delay);
  bool stopping();

  const Options options_;
  ChangeMetrics& metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ChangeMessage> queue_;
  std::uint64_t sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tollgate::cluster
