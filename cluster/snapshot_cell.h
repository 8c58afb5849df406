#pragma once
// An immutable snapshot shared between one writer and many readers. The writer publishes a new
// snapshot under a small mutex; a Reader keeps its own copy and takes that mutex only when a
// newer one was published since its last look (an atomic load otherwise), so a hot path reading
// it every request shares no lock and no reference count with other threads.
// (std::atomic<std::shared_ptr> is C++20; libstdc++'s atomic_load(shared_ptr*) takes a lock.)
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace tollgate::cluster {

template <class T>
class SnapshotCell {
 public:
  explicit SnapshotCell(std::shared_ptr<const T> initial) : current_(std::move(initial)) {}

  void publish(std::shared_ptr<const T> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
    version_.fetch_add(1, std::memory_order_release);
  }

  std::shared_ptr<const T> load() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  // Counts publications; a Reader compares it with the one it last saw.
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

  // One per reading thread (not shared between threads).
  class Reader {
   public:
    explicit Reader(const SnapshotCell& cell) : cell_(cell) {}
    const T& get() {
      if (const auto version = cell_.version(); version != seen_ || !cached_) {
        // Read the version before the snapshot: a publication in between is picked up next time.
        cached_ = cell_.load();
        seen_ = version;
      }
      return *cached_;
    }

   private:
    const SnapshotCell& cell_;
    std::shared_ptr<const T> cached_;
    std::uint64_t seen_ = 0;
  };

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const T> current_;
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace tollgate::cluster
