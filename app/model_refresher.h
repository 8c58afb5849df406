#pragma once
// Keeps the node's model snapshot in step with the models stored through /model/new
// (general_settings.store_model_in_db). A model change event, from this node's store or, in
// cluster mode, from another node's, asks for a reload; the refresher's own thread reads the
// store through its own connection, and hands the result to `apply` (which rebuilds the
// snapshot). Never on an I/O thread; a change listener only flips a counter.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "persistence/change.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::app {

class ModelRefresher final : public persistence::ChangeListener {
 public:
  using Load = std::function<std::vector<config::Deployment>(persistence::Store&)>;
  using Apply = std::function<void(std::vector<config::Deployment>)>;
  ModelRefresher(std::string database_url, std::string sqlite_path, Load load, Apply apply);
  ~ModelRefresher() override;

  void start();
  void stop();

  void committed(const std::vector<persistence::Change>& changes) noexcept override;
  // Asks for a reload; returns its number.
  std::uint64_t request() noexcept;
  // The number of the last reload asked for.
  std::uint64_t requested() const;
  // True once reload `number` (or a later one) was applied; false after `timeout`.
  bool wait_applied(std::uint64_t number, std::chrono::milliseconds timeout);

 private:
  void run();
  bool reload_once();  // false when the store could not be read

  const std::string database_url_;
  const std::string sqlite_path_;
  const Load load_;
  const Apply apply_;
  std::unique_ptr<persistence::Store> store_;  // the refresher thread's own connection
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable applied_changed_;
  std::uint64_t requested_ = 0;
  std::uint64_t applied_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tollgate::app
