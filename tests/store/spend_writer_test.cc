// The spend writer against real stores: what it buffers counts in pending() until the store
// has it, a reset is written after the increments recorded before it, and a store that fails
// loses no spend total, only the log rows past the buffer's bound (counted).
#include <atomic>
#include <filesystem>
#include <thread>

#include <prometheus/registry.h>

#include "spend/spend_writer.h"
#include "tests/store/spend_test_world.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"
#include "tests/support/test_env.h"

using namespace tollgate;
using persistence::EntityKind;
using spend::SpendWriter;
using testing::log_rows;
using testing::store_with_team;
using testing::team_spend;
using namespace std::chrono_literals;

namespace {

// Explicit flushes only: the interval is longer than any test.
SpendWriter::Options flush_on_demand() {
  SpendWriter::Options o;
  o.flush_interval = 1h;
  return o;
}

// One request's spend: its log row and its team's increment. Amounts are multiples of 1/8, so
// sums are exact and compare with ==.
void record(SpendWriter& writer, int request, double amount) {
  writer.record(testing::team_log(request, amount), {{EntityKind::team, "team-1", amount}});
}

double metric_value(const prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name || family.metric.empty()) continue;
    const auto& metric = family.metric.front();
    return family.type == prometheus::MetricType::Gauge ? metric.gauge.value : metric.counter.value;
  }
  return -1;
}

}  // namespace

STORE_TEST_CASE("spend writer: a flush commits rows and increments, pending() counts them until then",
                "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = store_with_team(db);
  prometheus::Registry registry;
  SpendWriter writer(db.url(), db.sqlite_path(), flush_on_demand(), &registry);

  for (int i = 0; i < 40; ++i) record(writer, i, 0.125);
  CHECK(writer.pending(EntityKind::team, "team-1") == 5.0);
  CHECK(team_spend(*store) == 0.0);
  CHECK(metric_value(registry, "tollgate_spend_writer_buffered_rows") == 40);

  REQUIRE(writer.flush());
  CHECK(writer.pending(EntityKind::team, "team-1") == 0.0);
  CHECK(team_spend(*store) == 5.0);
  CHECK(log_rows(*store) == 40);
  const auto stats = writer.stats();
  CHECK(stats.flushes == 1);
  CHECK(stats.rows_written == 40);
  CHECK(stats.buffered_logs == 0);
  CHECK(stats.failures == 0);
  CHECK(metric_value(registry, "tollgate_spend_writer_buffered_rows") == 0);
  CHECK(metric_value(registry, "tollgate_spend_writer_rows_total") == 40);
  CHECK(metric_value(registry, "tollgate_spend_writer_statements_total") == static_cast<double>(stats.statements));
}

STORE_TEST_CASE("spend writer: a reset is written after the increments recorded before it, not after later ones",
                "[store][spend]") {
  testing::TestDatabase db(TestType::name);
  auto store = store_with_team(db);
  SpendWriter writer(db.url(), db.sqlite_path(), flush_on_demand());

  record(writer, 1, 1.0);
  writer.reset(EntityKind::team, "team-1", std::nullopt);
  record(writer, 2, 0.25);
  CHECK(writer.pending(EntityKind::team, "team-1") == 0.25);  // the reset ends what came before

  REQUIRE(writer.flush());
  CHECK(team_spend(*store) == 0.25);
  CHECK(log_rows(*store) == 2);
  CHECK(writer.pending(EntityKind::team, "team-1") == 0.0);
}

STORE_TEST_CASE("spend writer: while rows arrive and batches are written, pending() plus the store never misses spend",
                "[store][spend]") {
  // What budget loads rely on (pending first, then the store): a batch being written must
  // still count in pending() until the store has committed it.
  testing::TestDatabase db(TestType::name);
  auto store = store_with_team(db);
  SpendWriter::Options o;
  o.flush_interval = 1ms;
  o.batch_rows = 25;
  SpendWriter writer(db.url(), db.sqlite_path(), o);

  constexpr int kRequests = 2000;
  std::atomic<int> recorded{0};
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < kRequests; ++i) {
      record(writer, i, 0.125);
      recorded.fetch_add(1);
      if (i % 20 == 0) std::this_thread::sleep_for(1ms);
    }
    done = true;
  });
  auto reader = db.open_store();
  int checks = 0, missed = 0;
  while (!done.load()) {
    const int before = recorded.load();
    const double pending = writer.pending(EntityKind::team, "team-1");
    const double stored = team_spend(*reader);
    if (pending + stored < 0.125 * before) ++missed;
    ++checks;
  }
  producer.join();

  CHECK(missed == 0);
  CHECK(checks > 10);
  REQUIRE(writer.flush());
  CHECK(team_spend(*store) == 0.125 * kRequests);
  CHECK(log_rows(*store) == kRequests);
  CHECK(writer.stats().rows_written == kRequests);
  CHECK(writer.stats().flushes > 1);  // several batches, written while rows kept arriving
}

TEST_CASE("spend writer: an unreachable store loses no spend total, log rows past the bound are dropped and counted",
          "[store][spend]") {
  // SQLite cannot create the file while its directory is missing: the store is "down" until
  // the directory appears.
  const auto dir = testing::temp_dir() + "/appears-later";
  SpendWriter::Options o = flush_on_demand();
  o.max_buffered_logs = 3;
  prometheus::Registry registry;
  SpendWriter writer("", dir + "/t.db", o, &registry);

  for (int i = 0; i < 5; ++i) record(writer, i, 0.125);
  CHECK_FALSE(writer.flush());
  auto stats = writer.stats();
  CHECK(stats.failures == 1);
  CHECK(stats.buffered_logs == 3);
  CHECK(stats.rows_dropped == 2);
  CHECK(writer.pending(EntityKind::team, "team-1") == 0.625);  // every increment is kept
  CHECK(metric_value(registry, "tollgate_spend_writer_failures_total") == 1);
  CHECK(metric_value(registry, "tollgate_spend_writer_dropped_rows_total") == 2);
  record(writer, 5, 0.125);  // the buffer is still full: its row is dropped too

  std::filesystem::create_directories(dir);
  {
    auto setup = persistence::Store::open("", dir + "/t.db");
    setup->migrate();
    setup->insert_team(testing::make_team("team-1"), testing::audit_by());
  }
  REQUIRE(writer.flush());
  auto store = persistence::Store::open("", dir + "/t.db");
  CHECK(team_spend(*store) == 0.75);
  CHECK(log_rows(*store) == 3);
  stats = writer.stats();
  CHECK(stats.rows_written == 3);
  CHECK(stats.rows_dropped == 3);
  CHECK(stats.buffered_logs == 0);
  CHECK(stats.flushes == 1);
  CHECK(metric_value(registry, "tollgate_spend_writer_dropped_rows_total") == 3);
  CHECK(metric_value(registry, "tollgate_spend_writer_buffered_rows") == 0);
}

TEST_CASE("spend writer: a store that stays down is retried with backoff, even with a full batch waiting",
          "[store][spend]") {
  const auto dir = testing::temp_dir() + "/never-appears";
  SpendWriter::Options o;
  o.flush_interval = 100ms;
  o.batch_rows = 2;  // the buffer holds more than a batch for the whole test
  SpendWriter writer("", dir + "/t.db", o);
  for (int i = 0; i < 4; ++i) record(writer, i, 0.125);

  std::this_thread::sleep_for(700ms);
  // Backoff 100 → 200 → 400 ms: about three attempts in 700 ms (fewer on a slow machine).
  // Waking on the full batch instead of the backoff retries thousands of times.
  const auto failures = writer.stats().failures;
  CHECK(failures >= 1);
  CHECK(failures <= 6);
  CHECK(writer.pending(EntityKind::team, "team-1") == 0.5);
}
