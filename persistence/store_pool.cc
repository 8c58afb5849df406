#include "persistence/store_pool.h"

#include "persistence/errors.h"
#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::persistence {

StorePool::StorePool(std::string database_url, std::string sqlite_path, int threads)
    : database_url_(std::move(database_url)), sqlite_path_(std::move(sqlite_path)) {
  for (int i = 0; i < std::max(threads, 1); ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

StorePool::~StorePool() { stop(); }

std::string StorePool::backend() const { return database_url_.empty() ? "sqlite" : "postgresql"; }

void StorePool::submit(Job job, Unavailable unavailable) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(Item{std::move(job), std::move(unavailable)});
  }
  wake_.notify_one();
}

std::size_t StorePool::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
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
    }
    if (!store) {
      try {
        store = connect();
      } catch (const std::exception& e) {
        if (item.unavailable) item.unavailable(e.what());
        continue;
      }
    }
    try {
      item.job(*store);
    } catch (const std::exception& e) {
      telemetry::log_error("store_job_failed", {{"error", e.what()}});
    }
  }
}

}  // namespace tollgate::persistence
