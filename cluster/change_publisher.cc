#include "cluster/change_publisher.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>

#include "persistence/redis_connection.h"
#include "telemetry/log.h"

namespace tollgate::cluster {
namespace {

constexpr std::chrono::milliseconds kRedisTimeout{1'000};
constexpr std::chrono::milliseconds kFirstBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{2'000};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Empty when Redis took the message, else why not.
std::string publish(redisContext& context, const std::string& channel, const std::string& payload) {
  const auto reply = persistence::redis_command(context, {"PUBLISH", channel, payload});
  if (!reply) return reply.error().message;
  return (*reply)->type == REDIS_REPLY_INTEGER ? std::string() : "unexpected reply";
}

persistence::RedisContextPtr open_connection(const persistence::RedisAddress& address, std::string& error) {
  auto context = persistence::connect_redis(address, kRedisTimeout);
  if (!context) {
    error = context.error().message;
    return nullptr;
  }
  return std::move(*context);
}

}  // namespace

ChangePublisher::ChangePublisher(Options options, ChangeMetrics& metrics)
    : options_(std::move(options)), metrics_(metrics) {}

ChangePublisher::~ChangePublisher() { stop(); }

void ChangePublisher::start() {
  thread_ = std::thread([this] { run(); });
}

void ChangePublisher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ChangePublisher::enqueue(const std::vector<persistence::Change>& changes) noexcept {
  try {
    std::unique_lock lock(mutex_);
    const auto sequence = ++sequence_;  // spent even when dropped: receivers see the gap
    if (queue_.size() >= options_.queue_limit) {
      lock.unlock();
      metrics_.dropped();
      return;
    }
    queue_.push_back(ChangeMessage{options_.node_id, options_.instance, sequence, now_us(), changes});
  } catch (...) {
    metrics_.dropped();  // out of memory: the next message's sequence shows the gap
    return;
  }
  wake_.notify_one();
}

// The queue's head, copied (it stays queued until Redis took it); false when stopping with
// nothing left to send.
bool ChangePublisher::wait_for_message(ChangeMessage& next) {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return false;
  next = queue_.front();
  return true;
}

bool ChangePublisher::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void ChangePublisher::back_off(std::chrono::milliseconds& delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_; });
  delay = std::min(delay * 2, kMaxBackoff);
}

void ChangePublisher::run() {
  // Connected ahead of the first change, so that it does not wait for a handshake; a failure
  // here is retried (and reported) when there is something to send.
  std::string ignored;
  auto context = open_connection(options_.redis, ignored);
  auto delay = kFirstBackoff;
  bool reported_outage = false;
  ChangeMessage next;
  while (wait_for_message(next)) {
    if (!context) {
      std::string error;
      context = open_connection(options_.redis, error);
      if (!context) {
        if (!reported_outage) telemetry::log_warn("cluster_publisher_disconnected", {{"error", error}});
        reported_outage = true;
        if (stopping()) return;  // Redis out of reach at shutdown: what is queued is lost (docs/cluster.md)
        back_off(delay);
        continue;
      }
      if (reported_outage) telemetry::log_info("cluster_publisher_connected");
      reported_outage = false;
      delay = kFirstBackoff;
    }
    if (const auto failure = publish(*context, options_.channel, encode(next)); !failure.empty()) {
      if (!reported_outage) telemetry::log_warn("cluster_publish_failed", {{"error", failure}});
      reported_outage = true;
      context.reset();  // resent after reconnecting: a repeat is harmless
      if (stopping()) return;
      back_off(delay);
      continue;
    }
    delay = kFirstBackoff;
    metrics_.published();
    std::lock_guard lock(mutex_);
    queue_.pop_front();
  }
}

}  // namespace tollgate::cluster
