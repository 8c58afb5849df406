#include "cluster/exposure_log.h"

#include <hiredis/hiredis.h>

#include <cstdlib>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "telemetry/log.h"

namespace tollgate::cluster {
namespace {

constexpr auto kTimeout = std::chrono::milliseconds(500);
constexpr const char* kKeepFor = "86400000";  // a record outlives any lease by far

}  // namespace

ExposureLog::ExposureLog(const std::string& redis_url, const std::string& cluster_name, prometheus::Registry& metrics)
    : address_(persistence::parse_redis_url(redis_url)),
      prefix_("tollgate:cluster:" + cluster_name + ":exposure:"),
      failures_(prometheus::BuildCounter()
                    .Name("tollgate_cluster_exposure_failures_total")
                    .Help("Exposure records (write-ahead for a dead node's spend) Redis did not take or give")
                    .Register(metrics)
                    .Add({})),
      thread_([this] { run(); }) {}

ExposureLog::~ExposureLog() { stop(); }

void ExposureLog::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

redisContext* ExposureLog::connection() {
  if (context_ && context_->err == 0) return context_.get();
  context_.reset();
  if (!address_) return nullptr;
  auto connected = persistence::connect_redis(*address_, kTimeout);
  if (!connected) return nullptr;
  context_ = std::move(*connected);
  return context_.get();
}

void ExposureLog::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and every job ran (their callbacks are owed)
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job(connection());
    lock.lock();
  }
}

void ExposureLog::record(const std::string& entity, const std::string& node, const core::Exposure& exposure,
                         std::function<void()> then) {
  auto job = [this, key = key(entity), node, value = core::encode_exposure(exposure),
              then = std::move(then)](redisContext* redis) {
    bool ok = redis != nullptr;
    if (ok) ok = persistence::redis_command(*redis, {"HSET", key, node, value}).ok();
    if (ok) ok = persistence::redis_command(*redis, {"PEXPIRE", key, kKeepFor}).ok();
    if (!ok) {
      context_.reset();
      failures_.Increment();
      telemetry::log_warn("cluster_exposure_unrecorded", {{"node", node}});
    }
    then();
  };
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void ExposureLog::read(const std::string& entity, std::function<void(Records)> done) {
  auto job = [this, key = key(entity), done = std::move(done)](redisContext* redis) {
    Records records;
    auto reply = redis ? persistence::redis_command(*redis, {"HGETALL", key})
                       : core::Result<persistence::RedisReplyPtr>(core::service_unavailable("redis unreachable"));
    if (!reply) {
      context_.reset();
      failures_.Increment();
      telemetry::log_warn("cluster_exposure_unread", {{"error", reply.error().message}});
    } else {
      const auto* r = reply->get();
      for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
        const auto* field = r->element[i];
        const auto* value = r->element[i + 1];
        if (field->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING) continue;
        const auto exposure = core::decode_exposure(std::string_view(value->str, value->len));
        if (!exposure) {
          telemetry::log_warn("cluster_exposure_unreadable", {});
          continue;
        }
        records.emplace_back(std::string(field->str, field->len), *exposure);
      }
    }
    done(std::move(records));
  };
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

}  // namespace tollgate::cluster
