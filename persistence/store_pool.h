#pragma once
// Runs store work off the request path: N threads, each owning one Store (one database
// connection), taking jobs from one bounded queue. Request handlers submit a job and continue
// in its callback, so no I/O thread ever waits on the database.
//
// Every job ends in exactly one answer to its caller: the job itself, or its `failed`
// continuation when the job cannot run or throws:
// - the database is unreachable: each thread (re)connects and brings the schema up to date
//   before running a job; while it cannot, jobs fail with `unreachable`, as does a job that
//   throws StoreError;
// - the queue already holds `queue_limit` jobs: submit() fails the job at once with
//   `overloaded` instead of letting the queue (and every caller's wait) grow without bound;
// - the pool has stopped: `stopped`;
// - the job threw anything else (a bug): `threw`. Jobs therefore answer their caller as their
//   last step (or convert their own exceptions, as management work does), so a job that threw
//   has not answered yet.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tollgate::persistence {

class ChangeListener;
class Store;

enum class JobFailure { unreachable, overloaded, stopped, threw };

class StorePool {
 public:
  using Job = std::function<void(Store&)>;
  // `error` is for the log (which redacts it), never for the client.
  using Failed = std::function<void(JobFailure why, const std::string& error)>;

  // `queue_limit`: jobs allowed to wait beyond the running ones (general_settings.
  // store_queue_limit). `metrics` (optional) gets tollgate_store_queue_depth and
  // tollgate_store_rejected_jobs_total. `changes` (optional) hears every change committed
  // through the pool's Stores (Store::set_change_listener).
  StorePool(std::string database_url, std::string sqlite_path, int threads, std::size_t queue_limit,
            prometheus::Registry* metrics = nullptr, ChangeListener* changes = nullptr);
  ~StorePool();

  // Queues the job. When it cannot be queued (overloaded, stopped), `failed` runs before
  // submit returns, on the calling thread.
  void submit(Job job, Failed failed);
  // Finishes queued jobs, then stops the threads; later submits fail with `stopped`.
  void stop();

 private:
  struct Item {
    Job job;
    Failed failed;
  };
  struct Metrics;
  void run();
  void run_job(Item& item, Store& store);
  std::unique_ptr<Store> connect();
  void set_depth(std::size_t depth);  // under mutex_
  void note_overload();

  const std::string database_url_;
  const std::string sqlite_path_;
  const std::size_t queue_limit_;
  ChangeListener* const changes_;
  std::unique_ptr<Metrics> metrics_;
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> jobs_;
  bool stopping_ = false;
  std::atomic<std::int64_t> last_overload_log_{-1};  // steady-clock second of the last log line
};

}  // namespace tollgate::persistence
