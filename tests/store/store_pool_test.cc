// The store pool's promise that every job ends in one answer: a full queue refuses at once
// (`overloaded`, counted, the depth on a gauge), a job that throws gets its failure
// continuation, a stopped pool or an unreachable database fail the job instead of dropping it.
#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>

#include "persistence/errors.h"
#include "persistence/store_pool.h"
#include "telemetry/metrics.h"
#include "tests/store/store_fixture.h"
#include "tests/support/test_env.h"

using namespace tollgate;
using persistence::JobFailure;
using persistence::StorePool;
using namespace std::chrono_literals;

namespace {

// The failure a job got, filled by its `failed` continuation.
struct Outcome {
  std::promise<std::pair<JobFailure, std::string>> promise;
  std::future<std::pair<JobFailure, std::string>> future = promise.get_future();
  StorePool::Failed callback() {
    return [this](JobFailure why, const std::string& error) { promise.set_value({why, error}); };
  }
  std::optional<JobFailure> failure(std::chrono::milliseconds wait = 5s) {
    if (future.wait_for(wait) != std::future_status::ready) return std::nullopt;
    return future.get().first;
  }
};

// The value of an unlabelled metric in the Prometheus text, or -1 when absent.
double metric(const telemetry::Metrics& metrics, const std::string& name) {
  const auto text = metrics.serialize();
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

STORE_TEST_CASE("a full store queue refuses jobs at once and the gauge reports its depth", "[store][pool]") {
  testing::TestDatabase db(TestType::name);
  db.migrated_store();
  telemetry::Metrics metrics;
  StorePool pool(db.url(), db.sqlite_path(), 1, 2, &metrics.registry());

  // One job holds the only store thread until released.
  std::promise<void> started;
  std::promise<void> release;
  auto released = release.get_future().share();
  pool.submit(
      [&](persistence::Store&) {
        started.set_value();
        released.wait();
      },
      nullptr);
  REQUIRE(started.get_future().wait_for(5s) == std::future_status::ready);

  std::atomic<int> ran{0};
  Outcome queued[2];
  for (auto& q : queued)
    pool.submit(
        [&](persistence::Store& store) {
          store.find_key("none");
          ++ran;
        },
        q.callback());
  CHECK(metric(metrics, "tollgate_store_queue_depth") == 2);

  Outcome refused;
  pool.submit([&](persistence::Store&) { ++ran; }, refused.callback());
  // Answered before submit returned, without waiting for the queue.
  REQUIRE(refused.failure(0ms) == JobFailure::overloaded);
  CHECK(metric(metrics, "tollgate_store_rejected_jobs_total") == 1);
  CHECK(metric(metrics, "tollgate_store_queue_depth") == 2);  // the refused job was not queued

  release.set_value();
  pool.stop();
  CHECK(ran == 2);
  for (auto& q : queued) CHECK_FALSE(q.failure(0ms).has_value());
  CHECK(metric(metrics, "tollgate_store_queue_depth") == 0);
}

STORE_TEST_CASE("a store job that throws gets its failure continuation", "[store][pool]") {
  testing::TestDatabase db(TestType::name);
  db.migrated_store();
  StorePool pool(db.url(), db.sqlite_path(), 1, 10);

  Outcome std_exception;
  pool.submit([](persistence::Store&) { throw std::logic_error("a bug"); }, std_exception.callback());
  REQUIRE(std_exception.failure() == JobFailure::threw);

  Outcome other;
  pool.submit([](persistence::Store&) { throw 42; }, other.callback());
  REQUIRE(other.failure() == JobFailure::threw);

  // The store failing the job is not a bug: the same answer as a store out of reach.
  Outcome store_error;
  pool.submit([](persistence::Store&) { throw persistence::StoreError("connection lost"); }, store_error.callback());
  REQUIRE(store_error.failure() == JobFailure::unreachable);

  // A failure continuation that throws does not take the store thread down.
  pool.submit([](persistence::Store&) { throw std::runtime_error("first"); },
              [](JobFailure, const std::string&) { throw std::runtime_error("second"); });
  std::promise<bool> still_running;
  pool.submit([&](persistence::Store&) { still_running.set_value(true); }, nullptr);
  auto running = still_running.get_future();
  REQUIRE(running.wait_for(5s) == std::future_status::ready);
  CHECK(running.get());
}

TEST_CASE("a stopped store pool fails new jobs at once", "[store][pool]") {
  StorePool pool("", testing::temp_dir() + "/t.db", 1, 10);
  pool.stop();
  Outcome late;
  bool ran = false;
  pool.submit([&](persistence::Store&) { ran = true; }, late.callback());
  CHECK(late.failure(0ms) == JobFailure::stopped);
  CHECK_FALSE(ran);
}

TEST_CASE("an unreachable database fails each job with the reason", "[store][pool]") {
  StorePool pool("", "/nonexistent-dir/tollgate.db", 1, 10);
  Outcome outcome;
  pool.submit([](persistence::Store&) {}, outcome.callback());
  CHECK(outcome.failure() == JobFailure::unreachable);
}
