#include "spend/spend_writer.h"

#include <iterator>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::spend {

using persistence::EntityKind;

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
                     .Add({})) {}
  prometheus::Counter& statements;
  prometheus::Counter& rows;
  prometheus::Counter& dropped;
  prometheus::Counter& failures;
  prometheus::Gauge& buffered;
};

SpendWriter::SpendWriter(std::string database_url, std::string sqlite_path, Options options,
                         prometheus::Registry* metrics)
    : database_url_(std::move(database_url)),
      sqlite_path_(std::move(sqlite_path)),
      options_(options),
      metrics_(metrics ? std::make_unique<Metrics>(*metrics) : nullptr) {
  thread_ = std::thread([this] { run(); });
}

SpendWriter::~SpendWriter() { stop(); }

SpendWriter::Segment& SpendWriter::open_segment() {
  if (segments_.empty() || !segments_.back().resets.empty()) segments_.emplace_back();
  return segments_.back();
}

void SpendWriter::record(persistence::SpendLogRow row, const std::vector<persistence::SpendIncrement>& increments) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    auto& segment = open_segment();
    if (stats_.buffered_logs >= options_.max_buffered_logs) {
      ++stats_.rows_dropped;  // the store has been down long enough: keep totals, drop detail
      if (metrics_) metrics_->dropped.Increment();
    } else {
      segment.logs.push_back(std::move(row));
      ++stats_.buffered_logs;
      if (metrics_) metrics_->buffered.Increment();
    }
    for (const auto& inc : increments) {
      if (inc.amount != 0) segment.increments[{static_cast<int>(inc.kind), inc.id}] += inc.amount;
    }
    wake = segment.logs.size() >= options_.batch_rows;
  }
  if (wake) wake_.notify_one();
}

void SpendWriter::reset(EntityKind kind, const std::string& id, std::optional<std::int64_t> next_reset_at) {
  {
    std::lock_guard lock(mutex_);
    open_segment().resets.push_back(Reset{kind, id, next_reset_at});
  }
  wake_.notify_one();
}

double SpendWriter::pending(EntityKind kind, const std::string& id) const {
  std::lock_guard lock(mutex_);
  double total = 0;
  const EntityKey key{static_cast<int>(kind), id};
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
  {
    std::lock_guard lock(mutex_);
    if (segments_.empty()) return true;
    // Moved out, not copied: O(1) under the lock. Records arriving meanwhile open a new segment.
    in_flight_.emplace(std::move(segments_.front()));
    segments_.pop_front();
  }
  const Segment& segment = *in_flight_;
  try {
    if (!store_) store_ = persistence::Store::open(database_url_, sqlite_path_);
    std::vector<persistence::SpendIncrement> increments;
    increments.reserve(segment.increments.size());
    for (const auto& [key, amount] : segment.increments) {
      increments.push_back({static_cast<EntityKind>(key.first), key.second, amount});
    }
    const auto statements = store_->record_spend(segment.logs, increments);
    for (const auto& r : segment.resets) store_->reset_spend(r.kind, r.id, r.next_reset_at);
    Segment written;  // declared before the lock: freed after it is released
    std::lock_guard lock(mutex_);
    written = std::move(*in_flight_);
    in_flight_.reset();
    stats_.buffered_logs -= written.logs.size();
    stats_.rows_written += written.logs.size();
    stats_.statements += statements + written.resets.size();
    ++stats_.flushes;
    if (metrics_) {
      metrics_->buffered.Decrement(static_cast<double>(written.logs.size()));
      metrics_->rows.Increment(static_cast<double>(written.logs.size()));
      metrics_->statements.Increment(static_cast<double>(statements + written.resets.size()));
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

// Under mutex_. What arrived during the failed write joins the segment again when it can (the
// segment resets nothing, so nothing recorded later must wait behind a reset), exactly as if
// the segment had stayed at the front: the retry writes one batch, as many rows as before.
// Only this failure path moves rows under the lock.
void SpendWriter::requeue_in_flight() {
  Segment failed = std::move(*in_flight_);
  in_flight_.reset();
  if (segments_.empty() || !failed.resets.empty()) {
    segments_.push_front(std::move(failed));
    return;
  }
  auto& arrived = segments_.front();
  failed.logs.insert(failed.logs.end(), std::make_move_iterator(arrived.logs.begin()),
                     std::make_move_iterator(arrived.logs.end()));
  for (const auto& [key, amount] : arrived.increments) failed.increments[key] += amount;
  failed.resets = std::move(arrived.resets);
  arrived = std::move(failed);
}

void SpendWriter::run() {
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
      if (stopping_ && segments_.empty()) return;
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
      if (stopping_ && (segments_.empty() || !ok)) {
        if (!segments_.empty()) {
          telemetry::log_error("spend_unflushed_at_stop", {{"buffered_logs", stats_.buffered_logs}});
        }
        return;
      }
    }
  }
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
