#pragma once
// Runs store work off the request path: N threads, each owning one Store (one database
// connection), taking jobs from one queue. Request handlers submit a job and continue in its
// callback, so no I/O thread ever waits on the database.
//
// The database may be down at start-up or go away later: each thread (re)connects and brings
// the schema up to date before running a job; while it cannot, jobs get their `unavailable`
// callback instead, so every caller is always answered.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tollgate::persistence {

class Store;

class StorePool {
 public:
  using Job = std::function<void(Store&)>;
  using Unavailable = std::function<void(const std::string& error)>;

  StorePool(std::string database_url, std::string sqlite_path, int threads);
  ~StorePool();

  // Queues the job. Exceptions escaping `job` are logged and swallowed: jobs answer their
  // callers themselves, including on failure.
  void submit(Job job, Unavailable unavailable);
  // Finishes queued jobs, then stops the threads.
  void stop();

  std::size_t queued() const;
  std::string backend() const;

 private:
  struct Item {
    Job job;
    Unavailable unavailable;
  };
  void run();
  std::unique_ptr<Store> connect();

  const std::string database_url_;
  const std::string sqlite_path_;
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> jobs_;
  bool stopping_ = false;
};

}  // namespace tollgate::persistence
