#include "cluster/change_subscriber.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string_view>

#include "cluster/change_message.h"
#include "persistence/redis_connection.h"
#include "telemetry/log.h"

namespace tollgate::cluster {
namespace {

using Because = ChangeMetrics::EmptiedBecause;

constexpr std::chrono::milliseconds kRedisTimeout{1'000};
constexpr std::chrono::milliseconds kFirstBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{2'000};
// After this long without a word from Redis the subscriber PINGs; without an answer after as
// long again the connection counts as lost (a silent network partition sends no FIN).
constexpr std::chrono::milliseconds kSilence{1'000};

std::string_view text(const redisReply& reply) { return std::string_view(reply.str, reply.len); }

bool is_push(const redisReply& reply, std::string_view kind, std::size_t min_elements) {
  return reply.type == REDIS_REPLY_ARRAY && reply.elements >= min_elements &&
         reply.element[0]->type == REDIS_REPLY_STRING && text(*reply.element[0]) == kind;
}

double lag_seconds(std::int64_t committed_at_us) {
  const auto now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  return static_cast<double>(now.count() - committed_at_us) / 1e6;
}

bool send_ping(redisContext* context) {
  if (redisAppendCommand(context, "PING") != REDIS_OK) return false;
  int done = 0;
  while (!done) {
    if (redisBufferWrite(context, &done) != REDIS_OK) return false;
  }
  return true;
}

}  // namespace

ChangeSubscriber::ChangeSubscriber(Options options, identity::KeyCacheInvalidator& cache, ChangeMetrics& metrics)
    : options_(std::move(options)), cache_(cache), metrics_(metrics), streams_(options_.instance) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw std::runtime_error("cluster: cannot create an eventfd");
}

ChangeSubscriber::~ChangeSubscriber() {
  stop();
  close(stop_fd_);
}

void ChangeSubscriber::start() {
  thread_ = std::thread([this] { run(); });
}

void ChangeSubscriber::stop() {
  stopping_.store(true, std::memory_order_release);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = write(stop_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

bool ChangeSubscriber::sleep_unless_stopped(std::chrono::milliseconds delay) {
  pollfd stop{stop_fd_, POLLIN, 0};
  poll(&stop, 1, static_cast<int>(delay.count()));
  return !stopping_.load(std::memory_order_acquire);
}

void ChangeSubscriber::run() {
  auto delay = kFirstBackoff;
  bool reported_outage = false;
  while (!stopping_.load(std::memory_order_acquire)) {
    std::string error;
    persistence::RedisContextPtr context;
    if (auto connected = persistence::connect_redis(options_.redis, kRedisTimeout); !connected) {
      error = connected.error().message;
    } else if (subscribe(**connected, error)) {
      context = std::move(*connected);
    }
    if (!context) {
      if (!reported_outage) telemetry::log_warn("cluster_subscriber_disconnected", {{"error", error}});
      reported_outage = true;
      if (!sleep_unless_stopped(delay)) return;
      delay = std::min(delay * 2, kMaxBackoff);
      continue;
    }
    // Subscribed: every change committed from now on reaches this node. What changed before —
    // while it was starting or cut off — is unknown, so no cached key may outlive this moment.
    cache_.missed_changes();
    streams_.reset();
    metrics_.cache_emptied(Because::subscribed);
    telemetry::log_info("cluster_subscribed", {{"channel", options_.channel}, {"after_outage", reported_outage}});
    reported_outage = false;
    delay = kFirstBackoff;
    listen(context.get());
    if (!stopping_.load(std::memory_order_acquire)) {
      telemetry::log_warn("cluster_subscription_lost", {{"error", context->err ? context->errstr : "no answer"}});
      reported_outage = true;
    }
  }
}

bool ChangeSubscriber::subscribe(redisContext& context, std::string& error) {
  const auto reply = persistence::redis_command(context, {"SUBSCRIBE", options_.channel});
  if (!reply) {
    error = reply.error().message;
    return false;
  }
  if (!is_push(**reply, "subscribe", 3)) error = "unexpected answer to SUBSCRIBE";
  return error.empty();
}

// Returns when the connection is lost or the subscriber stops.
void ChangeSubscriber::listen(redisContext* context) {
  bool ping_outstanding = false;
  while (true) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(context, &raw) != REDIS_OK) return;
    if (raw) {
      handle(*static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      ping_outstanding = false;
      continue;
    }
    pollfd fds[2] = {{context->fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int ready = poll(fds, 2, static_cast<int>(kSilence.count()));
    if (ready < 0 && errno != EINTR) return;
    if (fds[1].revents != 0 || stopping_.load(std::memory_order_acquire)) return;
    if (ready > 0) {
      if (redisBufferRead(context) != REDIS_OK) return;
      continue;
    }
    if (ping_outstanding || !send_ping(context)) return;  // silent for two periods: gone
    ping_outstanding = true;
  }
}

void ChangeSubscriber::handle(const redisReply& reply) {
  // ["message", channel, payload]; subscribe confirmations and ["pong", ""] need nothing.
  if (is_push(reply, "message", 3) && reply.element[2]->type == REDIS_REPLY_STRING) {
    apply(std::string(text(*reply.element[2])));
  }
}

void ChangeSubscriber::apply(const std::string& payload) {
  const auto message = decode(payload);
  if (!message) {
    telemetry::log_warn("cluster_change_undecodable", {{"bytes", payload.size()}});
    cache_.missed_changes();
    metrics_.cache_emptied(Because::undecodable);
    return;
  }
  switch (streams_.arrive(message->instance, message->sequence)) {
    case Arrival::own: return;
    case Arrival::apply: cache_.committed(message->changes); break;
    case Arrival::gap:
      telemetry::log_warn("cluster_change_gap", {{"node", message->node_id}, {"sequence", message->sequence}});
      cache_.missed_changes();
      metrics_.cache_emptied(Because::sequence_gap);
      break;
  }
  metrics_.received(lag_seconds(message->committed_at_us));
}

}  // namespace tollgate::cluster
