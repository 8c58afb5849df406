#include "persistence/store_pool.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "persistence/errors.h"
#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::persistence {
namespace {

// A failure continuation must not take its store thread down with it: log and go on.
void run_failed(const StorePool::Failed& failed, JobFailure why, const std::string& error) {
  if (!failed) return;
  try {
    failed(why, error);
  } catch (const std::exception& e) {
    telemetry::log_error("store_job_failure_callback_threw", {{"error", e.what()}});
  } catch (...) {
    telemetry::log_error("store_job_failure_callback_threw", {{"error", "unknown exception"}});
  }
}

}  // namespace

struct StorePool::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : depth(prometheus::BuildGauge()
                  .Name("tollgate_store_queue_depth")
                  .Help("Store jobs (key lookups, budget loads, management calls) waiting for a store thread")
                  .Register(r)
                  .Add({})),
        rejected(prometheus::BuildCounter()
                     .Name("tollgate_store_rejected_jobs_total")
                     .Help("Store jobs refused at once because the queue was at general_settings.store_queue_limit")
                     .Register(r)
                     .Add({})) {}
  prometheus::Gauge& depth;
  prometheus::Counter& rejected;
};

StorePool::StorePool(std::string database_url, std::string sqlite_path, int threads, std::size_t queue_limit,
                     prometheus::Registry* metrics, ChangeListener* changes)
    : database_url_(std::move(database_url)),
      sqlite_path_(std::move(sqlite_path)),
      queue_limit_(queue_limit),
      changes_(changes),
      metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr) {
  for (int i = 0; i < std::max(threads, 1); ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

StorePool::~StorePool() { stop(); }

void StorePool::set_depth(std::size_t depth) {
  if (metrics_) metrics_->depth.Set(static_cast<double>(depth));
}

void StorePool::submit(Job job, Failed failed) {
  std::optional<JobFailure> refusal;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refusal = JobFailure::stopped;
    } else if (jobs_.size() >= queue_limit_) {
      refusal = JobFailure::overloaded;
    } else {
      jobs_.push_back(Item{std::move(job), std::move(failed)});
      set_depth(jobs_.size());
    }
  }
  if (!refusal) {
    wake_.notify_one();
    return;
  }
  if (*refusal == JobFailure::overloaded) {
    note_overload();
    run_failed(failed, *refusal, "the store queue is full (" + std::to_string(queue_limit_) + " jobs waiting)");
    return;
  }
  run_failed(failed, *refusal, "the store is stopping");
}

void StorePool::note_overload() {
  if (metrics_) metrics_->rejected.Increment();
  // One line per second at most: under overload every request would otherwise log one.
  const auto second =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (last_overload_log_.exchange(second, std::memory_order_relaxed) != second) {
    telemetry::log_warn("store_overloaded", {{"queue_limit", queue_limit_}});
  }
}

void StorePool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

std::unique_ptr<Store> StorePool::connect() {
  auto store = Store::open(database_url_, sqlite_path_);
  store->migrate();  // idempotent; under the advisory lock on PostgreSQL
  store->set_change_listener(changes_);
  return store;
}

void StorePool::run() {
  std::unique_ptr<Store> store;
  while (true) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      item = std::move(jobs_.front());
      jobs_.pop_front();
      set_depth(jobs_.size());
    }
    if (!store) {
      try {
        store = connect();
      } catch (const std::exception& e) {
        run_failed(item.failed, JobFailure::unreachable, e.what());
        continue;
      }
    }
    run_job(item, *store);
  }
}

void StorePool::run_job(Item& item, Store& store) {
  try {
    item.job(store);
    return;
  } catch (const StoreError& e) {
    // The store failed the job (connection lost, statement refused): the same answer as a
    // store that cannot be reached.
    telemetry::log_warn("store_job_failed", {{"error", e.what()}});
    run_failed(item.failed, JobFailure::unreachable, e.what());
  } catch (const std::exception& e) {
    telemetry::log_error("store_job_failed", {{"error", e.what()}});
    run_failed(item.failed, JobFailure::threw, e.what());
  } catch (...) {
    telemetry::log_error("store_job_failed", {{"error", "unknown exception"}});
    run_failed(item.failed, JobFailure::threw, "unknown exception");
  }
}

}  // namespace tollgate::persistence
