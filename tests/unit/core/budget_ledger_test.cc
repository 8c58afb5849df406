// core::BudgetLedger: one entity's budget and rate limits, driven with explicit times.
#include <catch2/catch.hpp>

#include <vector>

#include "core/budget_ledger.h"
#include "core/budget_refusal.h"

using namespace tollgate::core;
using namespace std::chrono_literals;

namespace {

const auto t0 = Clock::time_point{} + 1000s;
constexpr auto kTtl = std::chrono::milliseconds(15min);

LedgerRequest request(double cost, std::int64_t tokens = 0, std::string_view model = "m") {
  return LedgerRequest{model, cost, tokens};
}

// Admits `n` requests at `at`; returns how many were admitted.
int admit_n(BudgetLedger& ledger, const LedgerLimits& limits, int n, Clock::time_point at,
            const LedgerRequest& r = request(0)) {
  int admitted = 0;
  for (int i = 0; i < n; ++i) admitted += ledger.admit(limits, r, at).admitted();
  return admitted;
}

}  // namespace

TEST_CASE("ledger: each limit admits up to its boundary and refuses just past it", "[core][budgets]") {
  struct Row {
    const char* name;
    LedgerLimits limits;
    LedgerRequest first;   // admitted
    LedgerRequest second;  // the one at the boundary
    bool second_admitted;
    RefusedBy refused_by;
    std::int64_t limit_value;
  };
  LedgerLimits budget;
  budget.max_budget = 1.0;
  LedgerLimits parallel;
  parallel.max_parallel_requests = 1;
  LedgerLimits rpm;
  rpm.rpm_limit = 1;
  LedgerLimits model_rpm;
  model_rpm.model_rpm_limit = 1;
  LedgerLimits tpm;
  tpm.tpm_limit = 100;
  LedgerLimits model_tpm;
  model_tpm.model_tpm_limit = 100;
  const Row rows[] = {
      {"budget exactly full", budget, request(0.6), request(0.4), true, RefusedBy::budget, 0},
      {"budget one cent over", budget, request(0.6), request(0.41), false, RefusedBy::budget, 0},
      {"a second parallel request", parallel, request(0), request(0), false, RefusedBy::max_parallel_requests, 1},
      {"a second request in the minute", rpm, request(0), request(0), false, RefusedBy::rpm, 1},
      {"a second request of the model", model_rpm, request(0), request(0), false, RefusedBy::model_rpm, 1},
      {"a request of another model", model_rpm, request(0), request(0, 0, "other"), true, RefusedBy::model_rpm, 1},
      {"tpm estimates exactly at the limit", tpm, request(0, 60), request(0, 40), true, RefusedBy::tpm, 100},
      {"tpm estimates one token over", tpm, request(0, 60), request(0, 41), false, RefusedBy::tpm, 100},
      {"model tpm: one request over alone", model_tpm, request(0, 0), request(0, 101), false, RefusedBy::model_tpm,
       100},
      {"model tpm: estimates in flight do not count", model_tpm, request(0, 100), request(0, 100), true,
       RefusedBy::model_tpm, 100},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    BudgetLedger ledger(kTtl);
    REQUIRE(ledger.admit(row.limits, row.first, t0).admitted());
    const auto second = ledger.admit(row.limits, row.second, t0 + 1s);
    CHECK(second.admitted() == row.second_admitted);
    if (!second.admitted()) {
      CHECK(second.refusal->limit == row.refused_by);
      CHECK(second.refusal->limit_value == row.limit_value);
      CHECK(ledger.in_flight() == 1);  // a refusal reserves nothing
    } else {
      CHECK(ledger.in_flight() == 2);
    }
  }
}

TEST_CASE("ledger: limits are checked in order and the first one refuses", "[core][budgets]") {
  LedgerLimits all;
  all.max_parallel_requests = 1;
  all.rpm_limit = 1;
  all.tpm_limit = 1;
  all.max_budget = 0;
  BudgetLedger ledger(kTtl);
  CHECK(ledger.admit(all, request(1, 5), t0).refusal->limit == RefusedBy::tpm);
  all.tpm_limit.reset();
  CHECK(ledger.admit(all, request(1, 5), t0).refusal->limit == RefusedBy::budget);
  all.max_budget.reset();
  REQUIRE(ledger.admit(all, request(1, 5), t0).admitted());
  CHECK(ledger.admit(all, request(1, 5), t0).refusal->limit == RefusedBy::max_parallel_requests);
  all.max_parallel_requests.reset();
  CHECK(ledger.admit(all, request(1, 5), t0).refusal->limit == RefusedBy::rpm);
}

TEST_CASE("ledger: a budget refusal carries the numbers of its message", "[core][budgets]") {
  LedgerLimits limits;
  limits.max_budget = 1.0;
  BudgetLedger ledger(kTtl);
  ledger.load(0.25);
  const auto held = ledger.admit(limits, request(0.5), t0);
  REQUIRE(held.admitted());
  const auto refused = ledger.admit(limits, request(0.375), t0);
  REQUIRE(refused.refusal);
  CHECK(refused.refusal->spend == 0.25);
  CHECK(refused.refusal->reserved == 0.5);
  CHECK(refused.refusal->cost == 0.375);
  CHECK(refused.refusal->max_budget == 1.0);
  const auto e = refusal_error(*refused.refusal, {"Key", "my-key", true});
  CHECK(e.status == 429);
  CHECK(e.type == "budget_exceeded");
  CHECK(e.message ==
        "Budget has been exceeded! Key=my-key Current cost: 0.25, Reserved by requests in flight: 0.5, "
        "Estimated request cost: 0.375, Max budget: 1");
  CHECK(e.headers.empty());
  CHECK(std::string(refusal_reason(RefusedBy::budget)) == "budget");
}

TEST_CASE("ledger: rate refusals say when to retry, with LiteLLM's headers", "[core][ratelimits]") {
  LedgerLimits limits;
  limits.rpm_limit = 2;
  BudgetLedger ledger(kTtl);
  REQUIRE(admit_n(ledger, limits, 2, t0) == 2);
  const auto refused = ledger.admit(limits, request(0), t0 + 20500ms);
  REQUIRE(refused.refusal);
  CHECK(refused.refusal->retry_after == 41);  // the first request's bucket leaves the window at t0 + 61 s
  const auto key = refusal_error(*refused.refusal, {"Key", "k1", true});
  CHECK(key.message ==
        "Rate limit exceeded for Key: k1. Limit type: requests. Current limit: 2, Remaining: 0. "
        "Retry after 41 s.");
  const std::vector<std::pair<std::string, std::string>> key_headers = {{"retry-after", "41"},
                                                                        {"x-ratelimit-limit-requests", "2"},
                                                                        {"x-ratelimit-remaining-requests", "0"},
                                                                        {"x-litellm-key-remaining-requests", "0"}};
  CHECK(key.headers == key_headers);
  const auto team = refusal_error(*refused.refusal, {"Team", "t1", false});
  CHECK(team.headers.size() == 3);  // no x-litellm-key-* for a team

  Refusal tokens;
  tokens.limit = RefusedBy::model_tpm;
  tokens.limit_value = 100;
  tokens.retry_after = 7;
  const auto tpm = refusal_error(tokens, {"Key", "k1", true});
  CHECK(tpm.message ==
        "Rate limit exceeded for Key: k1. Limit type: tokens. Current limit: 100, Remaining: 0. "
        "Retry after 7 s.");
  CHECK(tpm.headers.back() == std::pair<std::string, std::string>{"x-litellm-key-remaining-tokens", "0"});
  CHECK(std::string(refusal_reason(RefusedBy::model_tpm)) == "model_tpm");

  Refusal parallel;
  parallel.limit = RefusedBy::max_parallel_requests;
  parallel.limit_value = 3;
  const auto p = refusal_error(parallel, {"Organization", "o", false});
  CHECK(p.message == "Max parallel request limit reached for Organization: o. Limit: 3");
  CHECK(p.headers == std::vector<std::pair<std::string, std::string>>{{"retry-after", "1"}});
}

TEST_CASE("ledger: rpm windows slide, they do not reset per minute", "[core][ratelimits]") {
  LedgerLimits limits;
  limits.rpm_limit = 10;
  BudgetLedger ledger(kTtl);
  CHECK(admit_n(ledger, limits, 5, t0) == 5);
  CHECK(admit_n(ledger, limits, 10, t0 + 30s) == 5);
  CHECK(admit_n(ledger, limits, 1, t0 + 59999ms) == 0);
  // 1 s buckets: the first five count until their whole bucket [t0, t0 + 1 s) has left.
  CHECK(admit_n(ledger, limits, 1, t0 + 60999ms) == 0);
  CHECK(admit_n(ledger, limits, 10, t0 + 61s) == 5);  // the first five left the window
  CHECK(admit_n(ledger, limits, 10, t0 + 90s) == 0);
  CHECK(admit_n(ledger, limits, 10, t0 + 91s) == 5);
}

TEST_CASE("ledger: tpm counts settled tokens for 60 s and estimates until settle", "[core][ratelimits]") {
  LedgerLimits limits;
  limits.tpm_limit = 100;
  limits.model_tpm_limit = 80;
  BudgetLedger ledger(kTtl);
  const auto a = ledger.admit(limits, request(0, 50), t0);
  REQUIRE(a.admitted());
  CHECK(ledger.reserved_tokens() == 50);
  CHECK_FALSE(ledger.admit(limits, request(0, 51), t0).admitted());  // 50 in flight + 51 > 100
  REQUIRE(ledger.settle(a.reservation, 0, 70, t0 + 1s));             // really used 70
  CHECK(ledger.reserved_tokens() == 0);
  CHECK(ledger.admit(limits, request(0, 11), t0 + 2s).refusal->limit == RefusedBy::model_tpm);  // 70 + 11 > 80
  const auto b = ledger.admit(limits, request(0, 10), t0 + 2s);
  REQUIRE(b.admitted());
  CHECK(ledger.admit(limits, request(0, 21), t0 + 2s).refusal->limit == RefusedBy::tpm);  // 70 + 10 + 21 > 100
  ledger.release(b.reservation);
  CHECK(ledger.admit(limits, request(0, 11), t0 + 61999ms).refusal->limit == RefusedBy::model_tpm);
  CHECK(ledger.admit(limits, request(0, 80), t0 + 62s).admitted());  // the 70 settled at t0+1s left (its bucket)
}

TEST_CASE("ledger: release withdraws the request from the rpm windows, settle does not", "[core][ratelimits]") {
  LedgerLimits limits;
  limits.rpm_limit = 2;
  limits.model_rpm_limit = 2;
  BudgetLedger ledger(kTtl);
  const auto a = ledger.admit(limits, request(0), t0);
  const auto b = ledger.admit(limits, request(0), t0);
  REQUIRE((a.admitted() && b.admitted()));
  CHECK_FALSE(ledger.admit(limits, request(0), t0 + 1s).admitted());
  CHECK(ledger.release(a.reservation));
  CHECK_FALSE(ledger.release(a.reservation));  // once only
  const auto c = ledger.admit(limits, request(0), t0 + 1s);
  REQUIRE(c.admitted());
  CHECK(ledger.settle(c.reservation, 0, 0, t0 + 2s));
  CHECK_FALSE(ledger.admit(limits, request(0), t0 + 2s).admitted());  // a settled request was made
  CHECK(ledger.in_flight() == 1);

  // Only the model's window: the request of another model never counted in it.
  LedgerLimits model_only;
  model_only.model_rpm_limit = 1;
  BudgetLedger per_model(kTtl);
  const auto m = per_model.admit(model_only, request(0, 0, "m"), t0);
  REQUIRE(per_model.admit(model_only, request(0, 0, "n"), t0).admitted());
  CHECK_FALSE(per_model.admit(model_only, request(0, 0, "m"), t0).admitted());
  per_model.release(m.reservation);
  CHECK(per_model.admit(model_only, request(0, 0, "m"), t0).admitted());
}

TEST_CASE("ledger: settle replaces the reservation with the real cost, above it too", "[core][budgets]") {
  LedgerLimits limits;
  limits.max_budget = 1.0;
  struct Row {
    double reserved, cost, spend_after, room_after;
  };
  const Row rows[] = {
      {0.5, 0.125, 0.125, 0.875},  // below: the rest of the reservation is free again
      {0.5, 0.5, 0.5, 0.5},        // exactly
      {0.5, 0.75, 0.75, 0.25},     // above: recorded in full all the same
      {0.5, 1.5, 1.5, -0.5},       // above the budget itself
  };
  for (const auto& row : rows) {
    INFO(row.reserved << " then " << row.cost);
    BudgetLedger ledger(kTtl);
    const auto a = ledger.admit(limits, request(row.reserved), t0);
    REQUIRE(a.admitted());
    CHECK(ledger.reserved_cost() == row.reserved);
    CHECK(ledger.settle(a.reservation, row.cost, 0, t0 + 1s));
    CHECK(ledger.spend() == row.spend_after);
    CHECK(ledger.reserved_cost() == 0);
    CHECK(ledger.in_flight() == 0);
    CHECK(budget_room(1.0, ledger.spend(), ledger.reserved_cost()) == row.room_after);
    CHECK(ledger.admit(limits, request(0), t0 + 2s).admitted() == (row.room_after >= 0));
  }
}

TEST_CASE("ledger: reservations expire, a settle after expiry still counts its cost", "[core][budgets]") {
  LedgerLimits limits;
  limits.max_budget = 1.0;
  limits.max_parallel_requests = 2;
  limits.rpm_limit = 2;
  BudgetLedger ledger(std::chrono::milliseconds(10s));
  const auto a = ledger.admit(limits, request(0.5), t0);
  const auto b = ledger.admit(limits, request(0.5), t0 + 5s);
  REQUIRE((a.admitted() && b.admitted()));
  CHECK(ledger.expire(t0 + 9999ms).empty());
  CHECK(ledger.expire(t0 + 10s) == std::vector<std::uint64_t>{a.reservation});  // at its expiry exactly
  CHECK(ledger.reserved_cost() == 0.5);
  CHECK(ledger.in_flight() == 1);
  // An expired reservation is released: its rpm slot is free again, and so is its budget.
  CHECK(ledger.admit(limits, request(0.5), t0 + 11s).admitted());
  CHECK_FALSE(ledger.settle(a.reservation, 0.25, 10, t0 + 12s));  // no longer held...
  CHECK(ledger.spend() == 0.25);                                  // ...but it was spent
  CHECK(ledger.reserved_cost() == 1.0);
  CHECK(ledger.in_flight() == 2);
  CHECK(ledger.expire(t0 + 1h).size() == 2);
  CHECK_FALSE(ledger.has_reservations());
  CHECK_FALSE(ledger.release(b.reservation));
}

TEST_CASE("ledger: rate headers count the request just admitted", "[core][ratelimits]") {
  LedgerLimits limits;
  limits.rpm_limit = 3;
  limits.tpm_limit = 100;
  BudgetLedger ledger(kTtl);
  const auto a = ledger.admit(limits, request(0, 30), t0);
  REQUIRE(a.admitted());
  auto h = ledger.rate_headers(limits, t0);
  CHECK(h.limit_requests == 3);
  CHECK(h.remaining_requests == 2);
  CHECK(h.limit_tokens == 100);
  CHECK(h.remaining_tokens == 70);
  ledger.settle(a.reservation, 0, 120, t0 + 1s);  // more than the estimate
  h = ledger.rate_headers(limits, t0 + 1s);
  CHECK(h.remaining_tokens == 0);  // never negative
  CHECK(ledger.rate_headers(LedgerLimits{}, t0 + 1s).limit_requests == std::nullopt);
}

TEST_CASE("ledger: the reset schedule follows the record and skips missed periods", "[core][budgets]") {
  constexpr std::int64_t kHour = 3'600'000;
  const std::int64_t anchor = 1'700'000'000'000;
  BudgetLedger ledger(kTtl);
  ledger.load(5);

  ledger.follow_reset_schedule(std::nullopt, anchor, anchor);  // no budget_duration: no resets
  CHECK_FALSE(ledger.next_reset_ms());
  CHECK_FALSE(ledger.reset_if_due(anchor + 10 * kHour));
  CHECK(ledger.spend() == 5);

  ledger.follow_reset_schedule(kHour, anchor + kHour, anchor);
  CHECK(ledger.next_reset_ms() == anchor + kHour);
  CHECK_FALSE(ledger.reset_due(anchor + kHour - 1));
  CHECK_FALSE(ledger.reset_if_due(anchor + kHour - 1));
  CHECK(ledger.spend() == 5);
  CHECK(ledger.reset_if_due(anchor + kHour));  // due at the instant itself
  CHECK(ledger.spend() == 0);
  CHECK(ledger.next_reset_ms() == anchor + 2 * kHour);

  ledger.load(3);
  ledger.follow_reset_schedule(kHour, anchor + kHour, anchor + kHour);  // the record is behind: kept
  CHECK(ledger.next_reset_ms() == anchor + 2 * kHour);
  CHECK(ledger.reset_if_due(anchor + 5 * kHour + 7));                           // down for three periods
  CHECK(ledger.next_reset_ms() == anchor + 6 * kHour);                          // anchored, missed ones skipped
  ledger.follow_reset_schedule(kHour, anchor + 9 * kHour, anchor + 5 * kHour);  // an admin moved it later
  CHECK(ledger.next_reset_ms() == anchor + 9 * kHour);

  ledger.follow_reset_schedule(0, std::nullopt, anchor + 9 * kHour);  // a period that did not parse
  CHECK(ledger.reset_if_due(anchor + 9 * kHour));                     // resets once, no next reset
  CHECK_FALSE(ledger.next_reset_ms());
  ledger.follow_reset_schedule(kHour, std::nullopt, anchor + 10 * kHour);  // no reset time: from now
  CHECK(ledger.next_reset_ms() == anchor + 10 * kHour);
  ledger.follow_reset_schedule(std::nullopt, std::nullopt, anchor + 10 * kHour);  // duration removed
  CHECK_FALSE(ledger.next_reset_ms());
}

TEST_CASE("ledger: a reset with no request at hand keeps the period, the stale record never resets twice",
          "[core][budgets]") {
  constexpr std::int64_t kHour = 3'600'000;
  const std::int64_t anchor = 1'700'000'000'000;
  LedgerLimits limits;
  limits.max_budget = 1.0;
  BudgetLedger ledger(kTtl);
  ledger.load(0.5);
  ledger.follow_reset_schedule(kHour, anchor, anchor - 1);  // the record: reset at `anchor`, hourly

  CHECK(ledger.reset_if_due(anchor + 1));  // the owner's timer fires: no record in hand
  CHECK(ledger.next_reset_ms() == anchor + kHour);
  const auto a = ledger.admit(limits, request(0.25), t0);
  REQUIRE(a.admitted());
  CHECK(ledger.settle(a.reservation, 0.25, 0, t0 + 1s));

  // The next request still carries the cached record, whose budget_reset_at is the old one.
  ledger.follow_reset_schedule(kHour, anchor, anchor + 2);
  CHECK_FALSE(ledger.reset_if_due(anchor + 2));
  CHECK(ledger.spend() == 0.25);  // what was settled after the reset stays counted
  CHECK(ledger.next_reset_ms() == anchor + kHour);
}

TEST_CASE("ledger: a reset clears spend but not what is reserved or in the windows", "[core][budgets]") {
  LedgerLimits limits;
  limits.max_budget = 1.0;
  limits.rpm_limit = 1;
  BudgetLedger ledger(kTtl);
  ledger.load(0.75);
  const auto a = ledger.admit(limits, request(0.25), t0);
  REQUIRE(a.admitted());
  ledger.follow_reset_schedule(1000, 1000, 0);
  REQUIRE(ledger.reset_if_due(1000));
  CHECK(ledger.spend() == 0);
  CHECK(ledger.reserved_cost() == 0.25);
  CHECK(ledger.admit(limits, request(0.25), t0 + 1s).refusal->limit == RefusedBy::rpm);
  CHECK(ledger.settle(a.reservation, 0.125, 0, t0 + 2s));
  CHECK(ledger.spend() == 0.125);
}

TEST_CASE("ledger: reservation ids start where the ledger is told, so a successor's never match its predecessor's",
          "[core][budgets]") {
  LedgerLimits limits;
  BudgetLedger first(kTtl);
  const auto old = first.admit(limits, request(0.25), t0);
  REQUIRE(old.admitted());
  CHECK(old.reservation == 1);

  BudgetLedger successor(kTtl, (std::uint64_t{1} << 32) + 1);
  const auto fresh = successor.admit(limits, request(0.25), t0);
  REQUIRE(fresh.admitted());
  CHECK(fresh.reservation == (std::uint64_t{1} << 32) + 1);
  CHECK_FALSE(successor.settle(old.reservation, 0.5, 0, t0 + 1s));  // a late settle for the old ledger
  CHECK(successor.reserved_cost() == 0.25);                         // holds the new one still
  CHECK(successor.spend() == 0.5);                                  // and counts what was spent
}
