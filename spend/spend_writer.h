#pragma once
// Writes spend to the store in batches: spend-log rows and per-entity `spend = spend + x`
// increments, flushed every second (or sooner when a batch is full) as a few multi-row
// statements, never once per request. A dedicated thread with its own connection does the
// writing; request paths only append to memory under a short lock, and the writer takes the
// buffered work out of it in O(1) (a move) before writing it outside the lock.
//
// With a journal (Options::journal_dir), every record and reset is also appended to a local
// file before record()/reset() return (spend/spend_journal.h), each batch commits its journal
// mark in its own transaction, and the writer's thread first replays what an earlier process
// left: a process killed at any moment loses no spend the kernel holds.
//
// When the store is down the writer keeps buffering and retries; increments are aggregated per
// entity so they never grow past the number of entities, and only log rows beyond
// `max_buffered_logs` are dropped (counted). Spend totals are therefore never lost while the process lives; stop()
// flushes everything before returning. Without a journal, the loss window on a crash is what was buffered: at most one
// flush interval while the store is up.
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
#include "spend/spend_segment.h"

namespace tollgate::persistence {
class Store;
}
namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tollgate::spend {

class SpendJournal;

class SpendWriter {
 public:
  struct Options {
    std::chrono::milliseconds flush_interval{1000};
    // Sooner than the interval only past this many rows: every commit rewrites the last,
    // partly filled pages of the table and its indexes, so small commits multiply the writes.
    std::size_t batch_rows = 5000;
    std::size_t max_buffered_logs = 200'000;
    // Directory of this process's spend journal; empty: no journal.
    std::string journal_dir;
  };
  struct Stats {
    std::uint64_t flushes = 0;
    std::uint64_t statements = 0;
    std::uint64_t rows_written = 0;
    std::uint64_t rows_dropped = 0;
    std::uint64_t failures = 0;
    std::size_t buffered_logs = 0;
    std::uint64_t journal_write_errors = 0;
    bool replay_done = false;  // journals left by earlier processes are in the store
  };

  // Throws std::runtime_error when the journal's directory cannot be created or locked.
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
  // Waits until the journals earlier processes left are replayed into the store (at once
  // without a journal); false when the timeout came first (the store is down: the writer's
  // thread keeps trying).
  bool wait_for_replay(std::chrono::milliseconds timeout);
  // Flushes and stops the thread.
  void stop();
  Stats stats() const;

 private:
  using Segment = SpendSegment;  // work is kept in order: a segment's resets follow its increments

  void run();
  bool replay_leftovers();                                    // false on store failure
  bool replay_until_done();                                   // retries with backoff; false when stopped first
  bool write_front();                                         // writes the oldest segment; false on store failure
  void journal_appended(std::int64_t seq, Segment& segment);  // under mutex_
  void close_journal();                                       // everything is committed: the files and the mark go
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
  std::unique_ptr<SpendJournal> journal_;
  bool stopping_ = false;
  bool flush_requested_ = false;
  Stats stats_;
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<persistence::Store> store_;
  std::thread thread_;
};

}  // namespace tollgate::spend
