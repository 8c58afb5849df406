#include "app/model_refresher.h"

#include <algorithm>

#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::app {
namespace {

// A store that cannot be read is tried again this often until it can.
constexpr std::chrono::seconds kRetryInterval{2};

}  // namespace

ModelRefresher::ModelRefresher(std::string database_url, std::string sqlite_path, Load load, Apply apply)
    : database_url_(std::move(database_url)),
      sqlite_path_(std::move(sqlite_path)),
      load_(std::move(load)),
      apply_(std::move(apply)) {}

ModelRefresher::~ModelRefresher() { stop(); }

void ModelRefresher::start() {
  std::scoped_lock lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void ModelRefresher::stop() {
  {
    std::scoped_lock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  applied_changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ModelRefresher::committed(const std::vector<persistence::Change>& changes) noexcept {
  const bool models = std::any_of(changes.begin(), changes.end(), [](const persistence::Change& c) {
    return c.kind == persistence::ChangeKind::model;
  });
  if (models) request();
}

std::uint64_t ModelRefresher::request() noexcept {
  std::uint64_t number = 0;
  {
    std::scoped_lock lock(mutex_);
    number = ++requested_;
  }
  wake_.notify_one();
  return number;
}

std::uint64_t ModelRefresher::requested() const {
  std::scoped_lock lock(mutex_);
  return requested_;
}

bool ModelRefresher::wait_applied(std::uint64_t number, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return applied_changed_.wait_for(lock, timeout, [&] { return applied_ >= number || stopping_; }) &&
         applied_ >= number;
}

void ModelRefresher::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || requested_ > applied_; });
    if (stopping_) return;
    // Every change committed before this number was taken is in what is read next.
    const auto number = requested_;
    lock.unlock();
    const bool done = reload_once();
    lock.lock();
    if (done) {
      applied_ = std::max(applied_, number);
      applied_changed_.notify_all();
    } else {
      wake_.wait_for(lock, kRetryInterval, [this] { return stopping_; });
    }
  }
}

bool ModelRefresher::reload_once() {
  try {
    if (!store_) store_ = persistence::Store::open(database_url_, sqlite_path_);
    apply_(load_(*store_));
    return true;
  } catch (const std::exception& e) {
    store_.reset();  // a broken connection is opened anew on the next try
    telemetry::log_error("stored_models_unavailable", {{"error", e.what()}});
    return false;
  }
}

}  // namespace tollgate::app
