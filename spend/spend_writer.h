#pragma once
// Writes spend to the store in batches: spend-log rows and per-entity `spend = spend + x`
// increments, flushed every second (or sooner when a batch is full) as a few multi-row
// statements, never once per request. A dedicated thread with its own connection does the
// writing; request paths only append to memory under a short lock, and the writer takes the
// buffered work out of it in O(1) (a move) before writing it outside the lock.
//
// When the store is down the writer keeps buffering and retries; increments are aggregated per
// entity so they never grow past the number of entities, and only log rows beyond
// `max_buffered_logs` are dropped (counted). Spend totals are therefore never lost while the
// process lives; stop() flushes everything before returning. The loss window on a crash is
// what was buffered: at most one flush interval while the store is up.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "persistence/records.h"

namespace tollgate::persistence {
class Store;
}
namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tollgate::spend {

class SpendWriter {
 public:
  struct Options {
    std::chrono::milliseconds flush_interval{1000};
    // Sooner than the interval only past this many rows: every commit rewrites the last,
    // partly filled pages of the table and its indexes, so small commits multiply the writes.
    std::size_t batch_rows = 5000;
    std::size_t max_buffered_logs = 200'000;
  };
  struct Stats {
    std::uint64_t flushes = 0;
    std::uint64_t statements = 0;
    std::uint64_t rows_written = 0;
    std::uint64_t rows_dropped = 0;
    std::uint64_t failures = 0;
    std::size_t buffered_logs = 0;
  };

  SpendWriter(std::string database_url, std::string sqlite_path, Options options,
              prometheus::Registry* metrics = nullptr);
  ~SpendWriter();

  void record(persistence::SpendLogRow row, const std::vector<persistence::SpendIncrement>& increments);
  // Resets the entity's spend in the store after every increment recorded before this call.
  void reset(persistence::EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at);
  // Increments recorded but not yet committed for the entity (since its last reset).
  double pending(persistence::EntityKind kind, const std::string& id) const;

  // Writes everything buffered now; blocks until done or the store failed.
  bool flush();
  // Flushes and stops the thread.
  void stop();
  Stats stats() const;

 private:
  using EntityKey = std::pair<int, std::string>;
  struct Reset {
    persistence::EntityKind kind;
    std::string id;
    std::optional<std::int64_t> next_reset_at;
  };
  // Work is kept in order: increments recorded before a reset are written before it.
  struct Segment {
    std::vector<persistence::SpendLogRow> logs;
    std::map<EntityKey, double> increments;
    std::vector<Reset> resets;  // applied after this segment's logs and increments
  };

  void run();
  bool write_front();  // writes the oldest segment; false on store failure
  Segment& open_segment();
  void requeue_in_flight();  // after a failed write: the segment goes back to the front

  const std::string database_url_;
  const std::string sqlite_path_;
  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Segment> segments_;
  // The segment being written, taken off the front of segments_: only the writer thread sets
  // or clears it (under mutex_) and nobody modifies it meanwhile, so the writer reads it
  // without the lock while pending() reads it under the lock.
  std::optional<Segment> in_flight_;
  bool stopping_ = false;
  bool flush_requested_ = false;
  Stats stats_;
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<persistence::Store> store_;
  std::thread thread_;
};

}  // namespace tollgate::spend
