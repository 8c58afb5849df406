#include <catch2/catch.hpp>

#include "core/budget_math.h"

using namespace tollgate::core;
using namespace std::chrono_literals;

TEST_CASE("reservation arithmetic: spend + reserved + cost must fit", "[core][budgets]") {
  struct Row {
    double max, spend, reserved, cost;
    bool fits;
  };
  const Row rows[] = {
      {1.0, 0.0, 0.0, 1.0, true},  // exactly the budget
      {1.0, 0.0, 0.0, 1.0000001, false}, {1.0, 0.5, 0.4, 0.1, true},
      {1.0, 0.5, 0.4, 0.11, false},  // reservations count like spend
      {1.0, 1.0, 0.0, 0.0, true},    // a free request at the limit
      {1e-7, 0, 0, 1.2e-7, false},   // the seed scenario
      {0.3, 0.1, 0.1, 0.1, true},    // floating-point sums of equal parts
  };
  for (const auto& r : rows) {
    INFO(r.max << " " << r.spend << " " << r.reserved << " " << r.cost);
    CHECK(fits_budget(r.max, r.spend, r.reserved, r.cost) == r.fits);
  }
}

TEST_CASE("worst-case estimate = prompt at input price + max output at output price", "[core][budgets]") {
  CostEstimate e{100, 50, 1e-6, 2e-6};
  CHECK(e.worst_case() == Approx(100 * 1e-6 + 50 * 2e-6));
}

TEST_CASE("sliding window counts the last 60 seconds exactly", "[core][ratelimits]") {
  SlidingWindow w;
  const auto t0 = Clock::time_point{} + 1000s;
  w.add(t0);
  w.add(t0 + 10s);
  w.add(t0 + 30s, 5);
  CHECK(w.total(t0 + 30s) == 7);
  CHECK(w.total(t0 + 59s) == 7);
  CHECK(w.total(t0 + 60s) == 6);  // the first event left
  CHECK(w.next_expiry(t0 + 60s) == t0 + 70s);
  CHECK(w.total(t0 + 95s) == 0);
  CHECK(w.next_expiry(t0 + 95s) == t0 + 95s);
}

TEST_CASE("a cancelled event stops counting and later expiry stays exact", "[core][ratelimits]") {
  SlidingWindow w;
  const auto t0 = Clock::time_point{} + 1000s;
  const auto a = w.add(t0);
  const auto b = w.add(t0 + 1s);
  w.add(t0 + 2s);
  w.cancel(b);
  CHECK(w.total(t0 + 3s) == 2);
  w.cancel(b);  // twice: no effect
  CHECK(w.total(t0 + 3s) == 2);
  CHECK(w.total(t0 + 61s) == 1);  // a and the cancelled b expired
  w.cancel(a);                    // already gone: no effect
  CHECK(w.total(t0 + 61s) == 1);
}

TEST_CASE("retry-after rounds up to whole seconds, at least 1", "[core][ratelimits]") {
  const auto now = Clock::time_point{} + 100s;
  CHECK(retry_after_seconds(now, now) == 1);
  CHECK(retry_after_seconds(now, now + 1500ms) == 2);
  CHECK(retry_after_seconds(now, now + 59s) == 59);
}

TEST_CASE("budget reset scheduling keeps its anchor and skips missed periods", "[core][budgets]") {
  const std::int64_t day = 86'400'000;
  CHECK(next_reset_ms(1'000, day, 500) == 1'000);          // not due yet
  CHECK(next_reset_ms(1'000, day, 1'000) == 1'000 + day);  // due now
  CHECK(next_reset_ms(1'000, day, 1'000 + 3 * day + 5) == 1'000 + 4 * day);
  CHECK(next_reset_ms(1'000, 2'000, 2'999) == 3'000);
}

TEST_CASE("sliding window handles stay valid after expired events are compacted away", "[core][ratelimits]") {
  SlidingWindow w;
  const auto t0 = Clock::time_point{} + 1000s;
  std::vector<std::uint64_t> handles;
  for (int i = 0; i < 1000; ++i) handles.push_back(w.add(t0 + std::chrono::milliseconds(i * 100)));  // 100 s of events
  // At t0 + 70 s the 101 events of the first 10 s have left (compaction runs on this eviction).
  CHECK(w.total(t0 + 70s) == 899);
  w.cancel(handles[700]);  // still in the window
  CHECK(w.total(t0 + 70s) == 898);
  w.cancel(handles[50]);   // expired and compacted: no effect
  w.cancel(handles[700]);  // twice: no effect
  CHECK(w.total(t0 + 70s) == 898);
  CHECK(w.next_expiry(t0 + 70s) == t0 + 70s + 100ms);  // event 101 (at 10.1 s) leaves next
  for (int i = 0; i < 10; ++i) w.add(t0 + 100s + std::chrono::milliseconds(i));
  CHECK(w.total(t0 + 159s + 950ms) == 10);  // every event up to t0 + 99.95 s has left
  CHECK(w.total(t0 + 161s) == 0);
}
