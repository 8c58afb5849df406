#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

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

TEST_CASE("bucketed window: an event counts until its whole bucket leaves the 60 s window", "[core][ratelimits]") {
  // Buckets of 1 s: an event at t0 + 0.3 s is in bucket [t0, t0 + 1 s), which leaves at t0 + 61 s.
  struct Row {
    const char* name;
    std::chrono::milliseconds event;  // after t0 (t0 is on a bucket boundary)
    std::chrono::milliseconds now;
    std::int64_t total;
  };
  const Row rows[] = {
      {"at its own time", 300ms, 300ms, 1},
      {"exactly 60 s later (exact: gone), its bucket is not", 300ms, 60s + 300ms, 1},
      {"just before its bucket leaves", 300ms, 60s + 999ms, 1},
      {"when its bucket leaves", 300ms, 61s, 0},
      {"an event on a boundary leaves exactly 60 s + 1 bucket later", 1s, 62s - 1ms, 1},
      {"... and not a millisecond later", 1s, 62s, 0},
      {"an event older than the window never counts", 0ms, 120s, 0},
  };
  const auto t0 = Clock::time_point{} + 1000s;
  for (const auto& r : rows) {
    INFO(r.name);
    SlidingWindow w;
    w.add(t0 + r.event);
    CHECK(w.total(t0 + r.now) == r.total);
  }
}

TEST_CASE("bucketed window: next expiry is when the oldest non-empty bucket leaves", "[core][ratelimits]") {
  SlidingWindow w;
  const auto t0 = Clock::time_point{} + 1000s;
  w.add(t0 + 200ms);
  w.add(t0 + 10s + 500ms);
  w.add(t0 + 30s, 5);
  CHECK(w.total(t0 + 30s) == 7);
  CHECK(w.next_expiry(t0 + 30s) == t0 + 61s);
  CHECK(w.total(t0 + 61s) == 6);  // the first bucket left
  CHECK(w.next_expiry(t0 + 61s) == t0 + 71s);
  CHECK(w.total(t0 + 95s) == 0);
  CHECK(w.next_expiry(t0 + 95s) == t0 + 95s);
  CHECK(w.buckets_held() == 0);  // nothing held when idle
}

TEST_CASE("bucketed window: a cancelled event stops counting, its bucket's other events stay", "[core][ratelimits]") {
  SlidingWindow w;
  const auto t0 = Clock::time_point{} + 1000s;
  const auto a = w.add(t0);
  const auto b = w.add(t0 + 1s);
  w.add(t0 + 1s + 500ms);  // same bucket as b
  w.cancel(b);
  CHECK(w.total(t0 + 3s) == 2);
  CHECK(w.next_expiry(t0 + 3s) == t0 + 61s);
  w.cancel(a);  // the bucket empties: it no longer holds the next expiry back
  CHECK(w.total(t0 + 3s) == 1);
  CHECK(w.next_expiry(t0 + 3s) == t0 + 62s);
  CHECK(w.total(t0 + 62s) == 0);
  w.cancel(b);  // its bucket left: no effect, never negative
  CHECK(w.total(t0 + 62s) == 0);
}

TEST_CASE("bucketed window: tokens cancel by their amount, events may come out of order", "[core][ratelimits]") {
  SlidingWindow w;
  const auto t0 = Clock::time_point{} + 1000s;
  w.add(t0 + 5s, 100);
  const auto h = w.add(t0 + 2s, 40);  // older than the last event: goes into its own bucket
  CHECK(w.total(t0 + 5s) == 140);
  CHECK(w.next_expiry(t0 + 5s) == t0 + 63s);
  w.cancel(h, 40);
  CHECK(w.total(t0 + 5s) == 100);
  CHECK(w.next_expiry(t0 + 5s) == t0 + 66s);
}

TEST_CASE("bucketed window: memory is constant whatever the rate", "[core][ratelimits]") {
  SlidingWindow w;
  const auto t0 = Clock::time_point{} + 1000s;
  std::size_t most_held = 0;
  for (int i = 0; i < 600'000; ++i) {  // 10 minutes at 1,000 requests/s
    const auto at = t0 + std::chrono::milliseconds(i);
    w.add(at);
    if (i % 997 == 0) {
      w.total(at);
      most_held = std::max(most_held, w.buckets_held());
    }
  }
  CHECK(most_held <= w.max_buckets());
  CHECK(w.max_buckets() == 61);
  CHECK(w.total(t0 + 600s) == 60'000);  // the last 60 whole buckets
}

TEST_CASE("bucketed window: never below the exact count, at most one bucket of events above", "[core][ratelimits]") {
  // Random events and cancellations against an exact reference (every event kept).
  std::mt19937 rng(15);
  const auto t0 = Clock::time_point{} + 1000s;
  SlidingWindow w;
  struct Event {
    Clock::time_point at;
    std::int64_t amount;
    std::uint64_t handle;
    bool cancelled;
  };
  std::vector<Event> events;
  auto exact = [&](Clock::time_point now, std::chrono::milliseconds length) {
    std::int64_t sum = 0;
    for (const auto& e : events) {
      if (!e.cancelled && now - e.at < length && e.at <= now) sum += e.amount;
    }
    return sum;
  };
  auto now = t0;
  for (int step = 0; step < 20'000; ++step) {
    now += std::chrono::milliseconds(rng() % 50);
    const auto amount = static_cast<std::int64_t>(1 + rng() % 100);
    events.push_back({now, amount, w.add(now, amount), false});
    if (rng() % 4 == 0) {
      auto& e = events[events.size() - 1 - rng() % std::min<std::size_t>(events.size(), 200)];
      if (!e.cancelled) {
        w.cancel(e.handle, e.amount);
        e.cancelled = true;
      }
    }
    if (step % 50 == 0) {
      const auto counted = w.total(now);
      INFO("step " << step);
      CHECK(counted >= exact(now, 60s));       // a limit is never exceeded
      CHECK(counted <= exact(now, 61s));       // ... and a request held back one bucket at most
      CHECK(w.next_expiry(now) <= now + 61s);  // retry-after within a bucket of the exact one
      if (events.size() > 4000) events.erase(events.begin(), events.begin() + 1000);  // all long gone
    }
  }
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
