#include "spend/spend_writer.h"

#include <unistd.h>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "persistence/store.h"
#include "spend/journal_codec.h"
#include "spend/journal_replay.h"
#include "spend/spend_journal.h"
#include "telemetry/log.h"

namespace tollgate::spend {

using persistence::EntityKind;

namespace {

// Each request thread encodes its journal record into a buffer of its own, outside the lock;
// the buffer keeps its capacity, so encoding allocates nothing once it has grown.
std::string& journal_buffer() {
  thread_local std::string buffer;
  return buffer;
}

// The row as the writer keeps it until the store has it (spend/spend_log_buffer.h), encoded
// the same way outside the lock.
std::string& row_buffer() {
  thread_local std::string buffer;
  return buffer;
}

}  // namespace

struct SpendWriter::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : statements(prometheus::BuildCounter()
                       .Name("tollgate_spend_writer_statements_total")
                       .Help("SQL statements the spend writer executed")
                       .Register(r)
                       .Add({})),
        rows(prometheus::BuildCounter()
                 .Name("tollgate_spend_writer_rows_total")
                 .Help("Spend-log rows written")
                 .Register(r)
                 .Add({})),
        dropped(prometheus::BuildCounter()
                    .Name("tollgate_spend_writer_dropped_rows_total")
                    .Help("Spend-log rows dropped because the buffer was full (spend totals are kept)")
                    .Register(r)
                    .Add({})),
        failures(prometheus::BuildCounter()
                     .Name("tollgate_spend_writer_failures_total")
                     .Help("Flushes that failed (the store was unreachable); retried")
                     .Register(r)
                     .Add({})),
        buffered(prometheus::BuildGauge()
                     .Name("tollgate_spend_writer_buffered_rows")
                     .Help("Spend-log rows waiting to be written")
                     .Register(r)
                     .Add({})),
        journal_errors(prometheus::BuildCounter()
                           .Name("tollgate_spend_journal_write_errors_total")
                           .Help("Spend records the journal could not write (kept in memory only)")
                           .Register(r)
                           .Add({})),
        replayed(prometheus::BuildCounter()
                     .Name("tollgate_spend_journal_replayed_records_total")
                     .Help("Journal records of earlier processes replayed into the store at start-up")
                     .Register(r)
                     .Add({})) {}
  prometheus::Counter& statements;
  prometheus::Counter& rows;
  prometheus::Counter& dropped;
  prometheus::Counter& failures;
  prometheus::Gauge& buffered;
  prometheus::Counter& journal_errors;
  prometheus::Counter& replayed;
};

SpendWriter::SpendWriter(std::string database_url, std::string sqlite_path, Options options,
                         prometheus::Registry* metrics)
    : database_url_(std::move(database_url)),
      sqlite_path_(std::move(sqlite_path)),
      options_(options),
      metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr) {
  if (!options_.journal_dir.empty()) journal_ = std::make_unique<SpendJournal>(options_.journal_dir);
  stats_.replay_done = !journal_ || journal_->leftovers().empty();
  thread_ = std::thread([this] { run(); });
}

SpendWriter::~SpendWriter() { stop(); }

SpendWriter::Segment& SpendWriter::open_segment() {
  if (segments_.empty() || !segments_.back().open()) segments_.emplace_back();
  return segments_.back();
}

void SpendWriter::journal_appended(std::int64_t seq, Segment& segment) {
  if (seq > 0) {
    segment.last_seq = seq;
    return;
  }
  ++stats_.journal_write_errors;
  if (metrics_) metrics_->journal_errors.Increment();
}

void SpendWriter::record(persistence::SpendLogRow row, const std::vector<persistence::SpendIncrement>& increments) {
  if (journal_) encode_spend_record(row, increments, journal_buffer());
  std::string& encoded_row = row_buffer();
  encoded_row.clear();
  append_spend_log_row(row, encoded_row);
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    auto& segment = open_segment();
    // One write(2) of a few hundred bytes into the page cache, under the lock so that the
    // journal's order is the segments' order (a batch's mark covers exactly what precedes it).
    if (journal_) journal_appended(journal_->append(journal_buffer()), segment);
    if (stats_.buffered_logs >= options_.max_buffered_logs) {
      ++stats_.rows_dropped;  // the store has been down long enough: keep totals, drop detail
      if (metrics_) metrics_->dropped.Increment();
    } else {
      segment.logs.append_encoded(encoded_row);
      ++stats_.buffered_logs;
      if (metrics_) metrics_->buffered.Increment();
    }
    segment.add_increments(increments);
    wake = segment.logs.size() >= options_.batch_rows;
  }
  if (wake) wake_.notify_one();
}

void SpendWriter::reset(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at) {
  persistence::SpendReset reset{kind, id, next_reset_at};
  if (journal_) encode_reset_record(reset, journal_buffer());
  {
    std::lock_guard lock(mutex_);
    auto& segment = open_segment();
    if (journal_) journal_appended(journal_->append(journal_buffer()), segment);
    segment.resets.push_back(std::move(reset));
  }
  wake_.notify_one();
}

double SpendWriter::pending(EntityKind kind, const std::string& id) const {
  std::lock_guard lock(mutex_);
  double total = 0;
  const SpendSegment::EntityKey key{static_cast<int>(kind), id};
  // Adds the segment's increment; false when the segment resets the entity (what came before
  // it no longer counts).
  const auto add = [&](const Segment& segment) {
    for (const auto& r : segment.resets) {
      if (r.kind == kind && r.id == id) return false;
    }
    if (auto found = segment.increments.find(key); found != segment.increments.end()) total += found->second;
    return true;
  };
  // Newest first; the segment being written is the oldest and counts until it is committed.
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    if (!add(*it)) return total;
  }
  if (in_flight_) add(*in_flight_);
  return total;
}

bool SpendWriter::write_front() {
  int closed_file = -1;
  if (journal_) journal_->prepare_next();  // the open(2) happens outside the lock
  {
    std::lock_guard lock(mutex_);
    if (segments_.empty()) return true;
    // Moved out, not copied: O(1) under the lock. Records arriving meanwhile open a new segment.
    in_flight_.emplace(std::move(segments_.front()));
    segments_.pop_front();
    // Later records go to a new file: this one can be deleted once what it holds is committed.
    if (journal_) closed_file = journal_->rotate();
  }
  if (closed_file >= 0) ::close(closed_file);
  const Segment& segment = *in_flight_;
  try {
    if (!store_) store_ = persistence::Store::open(database_url_, sqlite_path_);
    std::optional<persistence::Store::JournalMark> mark;
    if (journal_ && segment.last_seq > 0) mark = persistence::Store::JournalMark{journal_->id(), segment.last_seq};
    SpendLogBuffer::Reader logs(segment.logs);
    const auto commit = store_->commit_spend_batch(logs, segment.increment_list(), segment.resets, mark);
    if (journal_) journal_->remove_committed(segment.last_seq);
    Segment written;  // declared before the lock: freed after it is released
    std::lock_guard lock(mutex_);
    written = std::move(*in_flight_);
    in_flight_.reset();
    stats_.buffered_logs -= written.logs.size();
    stats_.rows_written += written.logs.size();
    stats_.statements += commit.statements;
    ++stats_.flushes;
    if (metrics_) {
      metrics_->buffered.Decrement(static_cast<double>(written.logs.size()));
      metrics_->rows.Increment(static_cast<double>(written.logs.size()));
      metrics_->statements.Increment(static_cast<double>(commit.statements));
    }
    idle_.notify_all();
    return true;
  } catch (const std::exception& e) {
    store_.reset();  // reconnect next time
    std::lock_guard lock(mutex_);
    requeue_in_flight();
    ++stats_.failures;
    if (metrics_) metrics_->failures.Increment();
    idle_.notify_all();
    telemetry::log_warn("spend_flush_failed", {{"error", e.what()}, {"buffered_logs", stats_.buffered_logs}});
    return false;
  }
}

bool SpendWriter::replay_leftovers() {
  try {
    if (!store_) store_ = persistence::Store::open(database_url_, sqlite_path_);
    const auto result = replay_journals(*store_, journal_->leftovers(), options_.batch_rows);
    if (metrics_) metrics_->replayed.Increment(static_cast<double>(result.records));
    std::lock_guard lock(mutex_);
    stats_.replay_done = true;
    idle_.notify_all();
    return true;
  } catch (const std::exception& e) {
    store_.reset();
    telemetry::log_warn("spend_journal_replay_failed", {{"error", e.what()}});
    return false;
  }
}

void SpendWriter::close_journal() {
  if (!journal_) return;
  {
    std::lock_guard lock(mutex_);  // a straggling record() must not write to a closed file
    journal_->remove_all();
  }
  try {
    if (store_) store_->forget_journal(journal_->id());
  } catch (const std::exception&) {
    // A mark without files is harmless: nothing will ever replay under this journal id.
    store_.reset();
  }
}

// Under mutex_. What arrived during the failed write joins the segment again when it can (the
// segment resets nothing, so nothing recorded later must wait behind a reset), exactly as if
// the segment had stayed at the front: the retry writes one batch, as many rows as before.
// Only this failure path moves rows under the lock.
void SpendWriter::requeue_in_flight() {
  Segment failed = std::move(*in_flight_);
  in_flight_.reset();
  if (segments_.empty() || !failed.open()) {
    segments_.push_front(std::move(failed));
    return;
  }
  failed.absorb(std::move(segments_.front()));
  segments_.front() = std::move(failed);
}

bool SpendWriter::replay_until_done() {
  if (!journal_ || journal_->leftovers().empty()) return true;
  auto backoff = std::chrono::milliseconds(100);
  while (!replay_leftovers()) {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      // Every file stays, this process's journal included: the next start replays them all.
      telemetry::log_error("spend_unflushed_at_stop", {{"buffered_logs", stats_.buffered_logs}});
      return false;
    }
    wake_.wait_for(lock, backoff, [this] { return stopping_; });
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  return true;
}

void SpendWriter::run() {
  if (!replay_until_done()) return;  // what earlier processes left comes before anything new
  auto backoff = options_.flush_interval;
  bool ok = true;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      // After a failure only the backoff (or stop, or an explicit flush) ends the wait: a full
      // batch would otherwise end it at once, and a store that is down would be retried in a
      // tight loop for as long as it stays down.
      const bool retrying = !ok;
      wake_.wait_for(lock, backoff, [this, retrying] {
        return stopping_ || flush_requested_ ||
               (!retrying && !segments_.empty() &&
                (segments_.front().logs.size() >= options_.batch_rows || segments_.size() > 1));
      });
      flush_requested_ = false;
      if (stopping_ && segments_.empty()) break;
    }
    ok = true;
    while (ok) {
      {
        std::lock_guard lock(mutex_);
        if (segments_.empty()) break;
      }
      ok = write_front();
    }
    backoff = ok ? options_.flush_interval : std::min(backoff * 2, std::chrono::milliseconds(5000));
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && !ok) {
        // The journal's files stay: the next start replays them.
        telemetry::log_error("spend_unflushed_at_stop", {{"buffered_logs", stats_.buffered_logs}});
        return;
      }
      if (stopping_ && segments_.empty()) break;
    }
  }
  close_journal();  // everything is committed
}

bool SpendWriter::wait_for_replay(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return stats_.replay_done; });
}

bool SpendWriter::flush() {
  std::unique_lock lock(mutex_);
  flush_requested_ = true;
  wake_.notify_one();
  const auto failures = stats_.failures;
  idle_.wait_for(lock, std::chrono::seconds(30),
                 [&] { return (segments_.empty() && !in_flight_) || stats_.failures != failures; });
  return segments_.empty();
}

void SpendWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      if (!thread_.joinable()) return;
    }
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SpendWriter::Stats SpendWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace tollgate::spend
