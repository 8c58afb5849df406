// core::LeaseHolder: a node admitting one entity's requests against its lease, driven with
// explicit times and hand-written grants (the owner's side is lease_desk_test.cc).
#include <catch2/catch.hpp>

#include <deque>

#include <string>

#include "core/lease.h"
#include "core/lease_handover.h"
#include "tests/unit/core/lease_amounts.h"

using namespace tollgate::core;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const auto t0 = Clock::time_point{} + 1000s;
constexpr auto kReservationTtl = std::chrono::milliseconds(15min);
constexpr std::int64_t kLeaseTtlMs = 9000;
const std::string kOwner = "gw-1/100";

LeaseLimits all_limits() {
  LeaseLimits l;
  l.max_budget = 100.0;
  l.rpm_limit = 1000;
  l.tpm_limit = 100000;
  l.max_parallel_requests = 100;
  return l;
}

LeaseLimits budget_only(double max_budget = 100.0) {
  LeaseLimits l;
  l.max_budget = max_budget;
  return l;
}

LedgerRequest request(double cost, std::int64_t tokens = 0) { return LedgerRequest{"m", cost, tokens}; }

// The owner's answer to `q` holding `held`.
LeaseGrant grant_of(const LeaseRequest& q, const LeaseAmounts& held) {
  LeaseGrant g;
  g.owner = kOwner;
  g.report_seq = q.report_seq;
  g.held = held;
  g.ttl_ms = kLeaseTtlMs;
  return g;
}

// One sync at `at` answered with `held`; returns the request sent.
LeaseRequest sync(LeaseHolder& h, const LeaseLimits& limits, const LeaseAmounts& held, Clock::time_point at,
                  const LeaseAmounts& need = {}) {
  auto q = h.sync_request("key:k", "gw-2/200", limits, need, at);
  REQUIRE(h.apply(grant_of(q, held), at));
  return q;
}

}  // namespace

TEST_CASE("lease holder: nothing is admitted before a grant, and `need` names only the limited resources",
          "[lease][holder]") {
  struct Row {
    const char* name;
    LeaseLimits limits;
    LeaseAmounts need;
  };
  LeaseLimits rpm;
  rpm.rpm_limit = 5;
  LeaseLimits tpm;
  tpm.tpm_limit = 500;
  LeaseLimits parallel;
  parallel.max_parallel_requests = 2;
  const Row rows[] = {
      {"budget", budget_only(), amounts(0.25, 0, 0, 0)},
      {"rpm", rpm, amounts(0, 1, 0, 0)},
      {"tpm", tpm, amounts(0, 0, 40, 0)},
      {"parallel", parallel, amounts(0, 0, 0, 1)},
      {"every limit", all_limits(), amounts(0.25, 1, 40, 1)},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    LeaseHolder h(kReservationTtl);
    const auto a = h.admit(row.limits, request(0.25, 40), t0);
    CHECK_FALSE(a.admitted());
    CHECK(same(a.need, row.need));
    CHECK(h.in_flight() == 0);
  }
}

TEST_CASE("lease holder: each leased resource admits up to the holding and refuses just past it", "[lease][holder]") {
  struct Row {
    const char* name;
    LeaseLimits limits;
    LeaseAmounts held;
    LedgerRequest first;   // admitted
    LedgerRequest second;  // the one at the boundary
    bool second_admitted;
  };
  LeaseLimits rpm;
  rpm.rpm_limit = 1000;
  LeaseLimits tpm;
  tpm.tpm_limit = 100000;
  LeaseLimits parallel;
  parallel.max_parallel_requests = 100;
  const Row rows[] = {
      {"usd exactly full", budget_only(), amounts(1.0, 0, 0, 0), request(0.6), request(0.4), true},
      {"usd one cent over", budget_only(), amounts(1.0, 0, 0, 0), request(0.6), request(0.41), false},
      {"a third of three tenths (float sums)", budget_only(), amounts(0.3, 0, 0, 0), request(0.1), request(0.2), true},
      {"requests: the second of two", rpm, amounts(0, 2, 0, 0), request(0), request(0), true},
      {"requests: the second of one", rpm, amounts(0, 1, 0, 0), request(0), request(0), false},
      {"tokens: estimates exactly at the holding", tpm, amounts(0, 0, 100, 0), request(0, 60), request(0, 40), true},
      {"tokens: one token over", tpm, amounts(0, 0, 100, 0), request(0, 60), request(0, 41), false},
      {"slots: a second of one", parallel, amounts(0, 0, 0, 1), request(0), request(0), false},
      {"unlimited resources are not checked", rpm, amounts(0, 5, 0, 0), request(50.0, 10'000), request(50.0, 10'000),
       true},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    LeaseHolder h(kReservationTtl);
    sync(h, row.limits, row.held, t0);
    REQUIRE(h.admit(row.limits, row.first, t0 + 1s).admitted());
    const auto second = h.admit(row.limits, row.second, t0 + 2s);
    CHECK(second.admitted() == row.second_admitted);
    CHECK(h.in_flight() == (row.second_admitted ? 2 : 1));
  }
}

TEST_CASE("lease holder: the lease is valid until sent_at + ttl, counted from the send, not the answer",
          "[lease][holder]") {
  LeaseHolder h(kReservationTtl);
  const auto limits = budget_only();
  auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0);
  REQUIRE(h.apply(grant_of(q, amounts(10, 0, 0, 0)), t0));  // answered 400 ms later: sent_at is still t0
  CHECK(h.expires() == t0 + std::chrono::milliseconds(kLeaseTtlMs));
  CHECK(h.admit(limits, request(1), h.expires() - 1ms).admitted());
  const auto late = h.admit(limits, request(1), h.expires());
  CHECK_FALSE(late.admitted());
  CHECK(late.need.usd == 1);
}

TEST_CASE("lease holder: settle replaces the reservation with the real cost, release withdraws the request",
          "[lease][holder]") {
  LeaseHolder h(kReservationTtl);
  const auto limits = all_limits();
  sync(h, limits, amounts(1.0, 2, 100, 1), t0);

  const auto a = h.admit(limits, request(1.0, 100), t0);
  REQUIRE(a.admitted());
  CHECK_FALSE(h.admit(limits, request(0.01, 0), t0).admitted());  // the slot and the usd are taken
  CHECK(h.settle(a.reservation, 0.25, 60, t0 + 1s));
  CHECK(h.unreported_usd() == Approx(0.25));
  // 0.75 usd, 1 request, 40 tokens and the slot are left.
  CHECK_FALSE(h.admit(limits, request(0.76, 0), t0 + 1s).admitted());
  CHECK_FALSE(h.admit(limits, request(0, 41), t0 + 1s).admitted());
  const auto b = h.admit(limits, request(0.75, 40), t0 + 1s);
  REQUIRE(b.admitted());
  CHECK(h.release(b.reservation));
  CHECK_FALSE(h.release(b.reservation));
  // The released request never happened: its request, usd, tokens and slot are free again.
  const auto c = h.admit(limits, request(0.75, 40), t0 + 2s);
  CHECK(c.admitted());
  const auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 3s);
  CHECK(q.spent_usd == Approx(0.25));
  CHECK(q.used_requests == 2);  // a and c
  CHECK(q.used_tokens == 60);
}

TEST_CASE("lease holder: a settle of a reservation it no longer holds is reported all the same", "[lease][holder]") {
  LeaseHolder h(kReservationTtl);
  const auto limits = budget_only();
  sync(h, limits, amounts(10, 0, 0, 0), t0);
  const auto a = h.admit(limits, request(1.0), t0);
  REQUIRE(a.admitted());
  CHECK(h.expire(t0 + kReservationTtl - 1ms).empty());
  CHECK(h.expire(t0 + kReservationTtl) == std::vector<std::uint64_t>{a.reservation});
  CHECK(h.in_flight() == 0);
  CHECK_FALSE(h.settle(a.reservation, 0.8, 50, t0 + kReservationTtl + 1s));
  CHECK_FALSE(h.settle(424242, 0.1, 0, t0 + kReservationTtl + 1s));
  CHECK(h.unreported_usd() == Approx(0.9));
}

TEST_CASE("lease holder: reservation ids and report numbers count up from first_reservation", "[lease][holder]") {
  const std::uint64_t first = (std::uint64_t{3} << 32) + 1;
  LeaseHolder h(kReservationTtl, first);
  const auto limits = budget_only();
  const auto q1 = sync(h, limits, amounts(10, 0, 0, 0), t0);
  CHECK(q1.report_seq == first);
  CHECK(q1.report_to.empty());  // no owner yet
  CHECK(h.admit(limits, request(1), t0).reservation == first);
  CHECK(h.admit(limits, request(1), t0).reservation == first + 1);
  const auto q2 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s);
  CHECK(q2.report_seq == first + 1);
  CHECK(q2.report_to == kOwner);
}

TEST_CASE("lease holder: a sync reports what was used, keeps what is in flight, sizes want from the last period",
          "[lease][holder]") {
  LeaseHolder h(kReservationTtl);
  const auto limits = all_limits();
  sync(h, limits, amounts(10, 100, 10000, 10), t0);
  std::uint64_t ids[3];
  for (auto& id : ids) {
    id = h.admit(limits, request(1.0, 100), t0).reservation;
    REQUIRE(id != 0);
  }
  REQUIRE(h.settle(ids[0], 0.5, 80, t0 + 1s));
  // In flight: 2.0 usd, 200 tokens, 2 slots. Used this period: 3.0 usd, 3 requests, 300
  // tokens, 3 slots at once. Reported: 0.5 usd, 3 requests, 80 tokens.
  const auto need = amounts(1.0, 1, 100, 1);
  const auto q = h.sync_request("key:k", "gw-2/200", limits, need, t0 + 2s);
  CHECK(q.entity == "key:k");
  CHECK(q.node == "gw-2/200");
  CHECK(q.report_to == kOwner);
  CHECK(q.spent_usd == Approx(0.5));
  CHECK(q.used_requests == 3);
  CHECK(q.used_tokens == 80);
  CHECK(same(q.need, need));
  // want = in flight + need + 2 × the period's use (slots: the most at once, a stock, so
  // max(in flight + need, 2 × 3)); keep = in flight + the free room the node wants beyond need
  // (10 - 0.5 - 2 = 7.5 usd free, it keeps 2 × 3.0 = 6 of it).
  CHECK(same(q.want, amounts(9.0, 7, 900, 6)));
  CHECK(same(q.keep, amounts(8.0, 6, 800, 5)));
  CHECK(h.sync_in_flight());
}

TEST_CASE("lease holder: a lease that runs dry with requests in flight grows, rather than syncing once per request",
          "[lease][holder]") {
  // A closed loop of 4 clients on one key, starting cold: every call is answered after the next
  // three were admitted, and each sync gets what it wants. Sizing want as max(in flight + need,
  // 2 × the period's use) gave just in flight + need after the first syncs: the lease admitted
  // the one waiting request, ran dry again, and synced for every request (200 of 200).
  const auto limits = all_limits();
  LeaseHolder h(kReservationTtl);
  std::deque<std::uint64_t> in_flight;
  int syncs = 0;
  auto now = t0;
  for (int served = 0; served < 200; ++served, now += 1ms) {
    if (in_flight.size() == 4) {
      REQUIRE(h.settle(in_flight.front(), 0.5, 80, now));
      in_flight.pop_front();
    }
    auto a = h.admit(limits, request(1.0, 100), now);
    if (!a.admitted()) {
      const auto q = h.sync_request("key:k", "gw-2/200", limits, a.need, now);
      ++syncs;
      REQUIRE(h.apply(grant_of(q, q.want), now));
      a = h.admit(limits, request(1.0, 100), now);
      REQUIRE(a.admitted());
    }
    in_flight.push_back(a.reservation);
  }
  CHECK(syncs <= 10);  // doubling from nothing: 1, then 6, 16, 36, ... requests
}

TEST_CASE("lease holder: a sync with nothing to ask keeps only what is in flight (the rest goes back)",
          "[lease][holder]") {
  LeaseHolder h(kReservationTtl);
  const auto limits = all_limits();
  sync(h, limits, amounts(10, 100, 10000, 10), t0);
  const auto a = h.admit(limits, request(1.0, 100), t0);
  REQUIRE(a.admitted());
  sync(h, limits, amounts(10, 100, 10000, 10), t0 + 1s);  // the period that used a ends here
  // An idle period: want is what a's reservation holds, and so is keep.
  const auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 5s);
  CHECK(same(q.want, amounts(1.0, 0, 100, 1)));
  CHECK(same(q.keep, amounts(1.0, 0, 100, 1)));
  REQUIRE(h.apply(grant_of(q, q.keep), t0 + 5s));
  CHECK(same(h.held(), amounts(1.0, 0, 100, 1)));
  REQUIRE(h.settle(a.reservation, 0.5, 50, t0 + 6s));
  const auto q2 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 7s);
  CHECK(same(q2.keep, LeaseAmounts{}));
  CHECK(same(q2.want, LeaseAmounts{}));
  REQUIRE(h.apply(grant_of(q2, q2.keep), t0 + 7s));
  CHECK(same(h.held(), LeaseAmounts{}));
  CHECK(h.unreported_usd() == 0);
  CHECK_FALSE(h.renewal_due(t0 + 7s + std::chrono::milliseconds(kLeaseTtlMs)));  // nothing left to renew
}

TEST_CASE("lease holder: an applied report is cleared, but a settle after the send counts in the new holding",
          "[lease][holder]") {
  LeaseHolder h(kReservationTtl);
  const auto limits = budget_only();
  sync(h, limits, amounts(10, 0, 0, 0), t0);
  const auto a = h.admit(limits, request(2.0), t0);
  REQUIRE(a.admitted());
  REQUIRE(h.settle(a.reservation, 1.0, 0, t0));
  const auto b = h.admit(limits, request(2.0), t0);
  REQUIRE(b.admitted());
  const auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s);
  CHECK(q.spent_usd == Approx(1.0));
  CHECK(q.keep.usd == Approx(2.0 + 7.0));             // b in flight + the free room (7.0), up to 2 × 4.0
  REQUIRE(h.settle(b.reservation, 1.5, 0, t0 + 2s));  // after the send: not in q's report
  REQUIRE(h.apply(grant_of(q, amounts(4.0, 0, 0, 0)), t0 + 1s));
  CHECK(h.unreported_usd() == Approx(1.5));  // a's 1.0 was applied; b's 1.5 was not reported
  // The new holding of 4.0 carries b's 1.5 (the owner granted it as b's keep): 2.5 left.
  CHECK_FALSE(h.admit(limits, request(2.51), t0 + 3s).admitted());
  CHECK(h.admit(limits, request(2.5), t0 + 3s).admitted());
  const auto q2 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 4s);
  CHECK(q2.spent_usd == Approx(1.5));
  REQUIRE(h.apply(grant_of(q2, amounts(4.0, 0, 0, 0)), t0 + 4s));
  CHECK(h.unreported_usd() == 0);
}

TEST_CASE("lease holder: while a sync is unanswered, admissions stay inside its keep", "[lease][holder]") {
  const auto limits = budget_only();
  for (const bool failed : {false, true}) {
    INFO((failed ? "failed sync" : "sync in flight"));
    LeaseHolder h(kReservationTtl);
    sync(h, limits, amounts(10, 0, 0, 0), t0);
    const auto a = h.admit(limits, request(1.0), t0);
    REQUIRE(a.admitted());
    REQUIRE(h.settle(a.reservation, 1.0, 0, t0));
    sync(h, limits, amounts(10, 0, 0, 0), t0 + 1s);  // a reported and applied; the period ends
    const auto b = h.admit(limits, request(1.0), t0 + 2s);
    REQUIRE(b.admitted());
    // want = 1.0 in flight + 2 × 1.0 used = 3.0; keep = 1.0 in flight + 2.0 of the 9.0 free.
    const auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 3s);
    CHECK(q.keep.usd == Approx(3.0));
    if (failed) h.sync_failed();
    // The owner may have replaced the holding of 10 by this keep of 3: 2.0 is left, not 9.0.
    CHECK_FALSE(h.admit(limits, request(2.01), t0 + 3s).admitted());
    CHECK(h.admit(limits, request(2.0), t0 + 3s).admitted());
    CHECK_FALSE(h.admit(limits, request(0.01), t0 + 3s).admitted());
    if (failed) {
      // The next sync reports everything since the last APPLIED report, under a new number.
      REQUIRE(h.settle(b.reservation, 0.5, 0, t0 + 4s));
      const auto q2 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 5s);
      CHECK(q2.report_seq == q.report_seq + 1);
      CHECK(q2.spent_usd == Approx(0.5));
    }
  }
}

TEST_CASE("lease holder: a refusal leaves the granted keep valid, not_owner leaves nothing, a stray grant is ignored",
          "[lease][holder]") {
  const auto limits = budget_only();
  SECTION("refusal") {
    LeaseHolder h(kReservationTtl);
    sync(h, limits, amounts(3, 0, 0, 0), t0);
    REQUIRE(h.admit(limits, request(2.0), t0).admitted());
    const auto need = h.admit(limits, request(2.0), t0).need;
    auto q = h.sync_request("key:k", "gw-2/200", limits, need, t0 + 1s);
    auto g = grant_of(q, amounts(3.0, 0, 0, 0));  // keep (2 in flight + 1 free); need refused
    g.refusal = Refusal{};
    REQUIRE(h.apply(g, t0 + 1s));
    CHECK(h.admit(limits, request(1.0), t0 + 2s).admitted());
    CHECK(h.expires() == t0 + 1s + std::chrono::milliseconds(kLeaseTtlMs));
  }
  SECTION("not_owner") {
    LeaseHolder h(kReservationTtl);
    sync(h, limits, amounts(3, 0, 0, 0), t0);
    const auto a = h.admit(limits, request(1.0), t0);
    REQUIRE(h.settle(a.reservation, 1.0, 0, t0));
    auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s);
    LeaseGrant g;
    g.not_owner = true;
    REQUIRE(h.apply(g, t0 + 1s));
    CHECK_FALSE(h.admit(limits, request(0.01), t0 + 1s).admitted());
    const auto q2 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 2s);
    CHECK(q2.spent_usd == Approx(1.0));  // still owed
    CHECK(q2.report_to == kOwner);       // to the owner it was owed to
  }
  SECTION("a grant answering another sync") {
    LeaseHolder h(kReservationTtl);
    sync(h, limits, amounts(3, 0, 0, 0), t0);
    const auto a = h.admit(limits, request(1.0), t0);
    REQUIRE(h.settle(a.reservation, 1.0, 0, t0));
    auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s);
    auto g = grant_of(q, amounts(100, 0, 0, 0));
    g.report_seq = 0;  // the desk's answer to a repeated or older request
    CHECK_FALSE(h.apply(g, t0 + 1s));
    CHECK_FALSE(h.sync_in_flight());
    CHECK(h.unreported_usd() == Approx(1.0));
    CHECK(same(h.held(), amounts(3, 0, 0, 0)));
  }
  SECTION("two syncs sent: only the newer answer is applied") {
    LeaseHolder h(kReservationTtl);
    sync(h, limits, amounts(3, 0, 0, 0), t0);
    const auto older = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s);
    const auto newer = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 2s);
    CHECK_FALSE(h.apply(grant_of(older, amounts(50, 0, 0, 0)), t0 + 1s));
    CHECK(h.sync_in_flight());
    CHECK(h.apply(grant_of(newer, amounts(5, 0, 0, 0)), t0 + 2s));
    CHECK(same(h.held(), amounts(5, 0, 0, 0)));
    CHECK(h.expires() == t0 + 2s + std::chrono::milliseconds(kLeaseTtlMs));
  }
}

TEST_CASE("lease holder: a request reported before its release stays counted, one released before stays out",
          "[lease][holder]") {
  LeaseLimits limits;
  limits.rpm_limit = 10;
  LeaseHolder h(kReservationTtl);
  sync(h, limits, amounts(0, 3, 0, 0), t0);
  const auto a = h.admit(limits, request(0), t0);
  const auto b = h.admit(limits, request(0), t0);
  REQUIRE((a.admitted() && b.admitted()));
  auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s);
  CHECK(q.used_requests == 2);
  const auto c = h.admit(limits, request(0), t0 + 1s);  // inside keep (4 wanted, 1 free): admitted
  REQUIRE(c.admitted());
  REQUIRE(h.release(a.reservation));  // reported already: the owner counts it
  REQUIRE(h.release(c.reservation));  // not reported: never counted
  REQUIRE(h.apply(grant_of(q, amounts(0, 2, 0, 0)), t0 + 1s));
  // The holding of 2 is untouched by c (withdrawn): two more requests fit.
  CHECK(h.admit(limits, request(0), t0 + 2s).admitted());
  CHECK(h.admit(limits, request(0), t0 + 2s).admitted());
  CHECK_FALSE(h.admit(limits, request(0), t0 + 2s).admitted());
  const auto q2 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 3s);
  CHECK(q2.used_requests == 2);  // the two just admitted; neither a (applied) nor c (withdrawn)
}

TEST_CASE(
    "lease holder: renewal is due near expiry while anything is held, or early to return room the owner is short of",
    "[lease][holder]") {
  const auto limits = budget_only();
  const auto ttl = std::chrono::milliseconds(kLeaseTtlMs);
  LeaseHolder h(kReservationTtl);
  CHECK_FALSE(h.renewal_due(t0));  // nothing held
  sync(h, limits, amounts(5, 0, 0, 0), t0);
  CHECK_FALSE(h.renewal_due(t0 + 1s));
  CHECK_FALSE(h.renewal_due(t0 + ttl - ttl / 3 - 1ms));
  CHECK(h.renewal_due(t0 + ttl - ttl / 3));  // an unused lease: returned before the owner counts it spent
  CHECK(h.renewal_due(t0 + ttl + 1s));
  auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 7s);
  CHECK_FALSE(h.renewal_due(t0 + 7s));  // one sync at a time
  REQUIRE(h.apply(grant_of(q, q.keep), t0 + 7s));
  CHECK_FALSE(h.renewal_due(t0 + 7s + ttl));  // everything returned

  // The owner is tight (near a limit): room the node does not use goes back at once, and a
  // sync keeps nothing beyond the requests in flight.
  const auto a = h.admit(limits, request(1.0), t0 + 8s);
  REQUIRE_FALSE(a.admitted());
  auto q2 = h.sync_request("key:k", "gw-2/200", limits, a.need, t0 + 8s);
  auto g2 = grant_of(q2, amounts(1.0, 0, 0, 0));
  g2.tight = true;
  REQUIRE(h.apply(g2, t0 + 8s));
  const auto b = h.admit(limits, request(1.0), t0 + 8s);  // the request that waited
  REQUIRE(b.admitted());
  CHECK_FALSE(h.renewal_due(t0 + 8s));  // nothing free
  REQUIRE(h.settle(b.reservation, 0.4, 0, t0 + 8s));
  CHECK(h.renewal_due(t0 + 8s));  // 0.6 unused
  const auto c = h.admit(limits, request(0.25), t0 + 8s);
  REQUIRE(c.admitted());
  CHECK(h.renewal_due(t0 + 8s));  // busy, 0.35 still unused
  auto q3 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 9s);
  CHECK(q3.keep.usd == Approx(0.25));                              // c alone: the 0.35 goes back
  CHECK(q3.want.usd == Approx(2.75));                              // c's 0.25 + 2 × the period's 1.25
  REQUIRE(h.apply(grant_of(q3, amounts(1.0, 0, 0, 0)), t0 + 9s));  // not tight any more
  CHECK_FALSE(h.renewal_due(t0 + 9s));
}

TEST_CASE("lease holder: rate headers show what is left of this node's lease", "[lease][holder]") {
  LeaseLimits limits;
  limits.rpm_limit = 60;
  limits.tpm_limit = 6000;
  LeaseHolder h(kReservationTtl);
  sync(h, limits, amounts(0, 5, 1000, 0), t0);
  const auto a = h.admit(limits, request(0, 100), t0);
  REQUIRE(a.admitted());
  auto headers = h.rate_headers(limits);
  CHECK(headers.limit_requests == 60);
  CHECK(headers.remaining_requests == 4);
  CHECK(headers.limit_tokens == 6000);
  CHECK(headers.remaining_tokens == 900);
  REQUIRE(h.settle(a.reservation, 0, 30, t0));
  headers = h.rate_headers(limits);
  CHECK(headers.remaining_tokens == 970);
  CHECK_FALSE(h.rate_headers(budget_only()).limit_requests);
}

TEST_CASE("lease holder: rebase answers what the node may still use, its recent use, and restarts the report",
          "[lease][holder][handover]") {
  const auto limits = all_limits();
  struct Row {
    const char* name;
    Clock::duration asked_after;  // the handover query, after the grant at t0 + 1s
    LeaseAmounts held;            // in flight (2 usd, 100 tokens, 1 slot) + free room
    std::int64_t held_ttl_ms;
  };
  // Holding {10 usd, 5 requests, 1000 tokens, 4 slots}, then 2 admitted (one settled at 1.5 usd /
  // 50 tokens, one in flight with 2 usd / 100 tokens) and 1 released.
  const Row rows[] = {
      {"lease valid: in flight + free room", 2s, amounts(2 + (10 - 1.5 - 2), 5 - 2, 100 + (1000 - 50 - 100), 1 + 3),
       kLeaseTtlMs - 1000},
      {"lease expired: in flight only", 20s, amounts(2, 0, 100, 1), 0},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      LeaseHolder h(kReservationTtl);
      const auto q1 = h.sync_request("key:k", "gw-2/200", limits, amounts(1, 1, 10, 1), t0);
      const auto first = h.admit(limits, request(1.0), t0);  // before the grant: refused, nothing held
      REQUIRE_FALSE(first.admitted());
      REQUIRE(h.apply(grant_of(q1, amounts(10, 5, 1000, 4)), t0 + 1s));
      const auto settled = h.admit(limits, request(1.5, 50), t0 + 1s);
      const auto running = h.admit(limits, request(2.0, 100), t0 + 1s);
      const auto released = h.admit(limits, request(0.5, 10), t0 + 1s);
      REQUIRE(settled.admitted());
      REQUIRE(running.admitted());
      REQUIRE(released.admitted());
      REQUIRE(h.settle(settled.reservation, 1.5, 50, t0 + 1s));
      REQUIRE(h.release(released.reservation));  // never reported: its request stays out

      const auto a = h.rebase("gw-3/300", t0 + 1s + row.asked_after - 1s);
      CHECK(same(a.held, row.held));
      CHECK(a.held_ttl_ms == row.held_ttl_ms);
      // Admitted since the last sync, the released one included (conservative: a new owner's
      // window cannot tell it from the others): 3 requests, 160 token estimates.
      CHECK(a.recent_requests == 3);
      CHECK(a.recent_tokens == 160);

      // Everything settled so far is the new owner's load's: the report restarts, owed to it.
      const auto q2 = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s + row.asked_after);
      CHECK(q2.report_to == "gw-3/300");
      CHECK(q2.spent_usd == 0);
      CHECK(q2.used_requests == 0);
      CHECK(q2.used_tokens == 0);
    }
  }
}

TEST_CASE("lease holder: after a rebase only the new owner's grants apply, unless a grant carries `rebase`",
          "[lease][holder][handover]") {
  const auto limits = budget_only();
  struct Row {
    const char* name;
    std::string owner;
    bool rebase;
    bool not_owner;
    bool applied;
    std::string report_to_after;  // of the next sync
  };
  const Row rows[] = {
      {"the fencing owner's grant", "gw-3/300", false, false, true, "gw-3/300"},
      {"the old owner's grant (sent before the handover)", kOwner, false, false, false, "gw-3/300"},
      {"a third owner's grant", "gw-4/400", false, false, false, "gw-3/300"},
      {"a third owner's grant with rebase (it reloaded since)", "gw-4/400", true, false, true, "gw-4/400"},
      {"the old owner's grant with rebase", kOwner, true, false, true, kOwner},
      {"not_owner from anyone", "", false, true, true, "gw-3/300"},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      LeaseHolder h(kReservationTtl);
      sync(h, limits, amounts(3, 0, 0, 0), t0);
      const auto q = h.sync_request("key:k", "gw-2/200", limits, amounts(1, 0, 0, 0), t0 + 1s);
      h.rebase("gw-3/300", t0 + 1s);
      auto g = grant_of(q, amounts(20, 0, 0, 0));
      g.owner = row.owner;
      g.rebase = row.rebase;
      g.not_owner = row.not_owner;
      CHECK(h.apply(g, t0 + 1s) == row.applied);
      CHECK_FALSE(h.sync_in_flight());
      // Ignored: the holding stays the old one (3 usd); applied: the grant's (20), or none.
      const bool holds_new = row.applied && !row.not_owner;
      CHECK(h.admit(limits, request(5.0), t0 + 2s).admitted() == holds_new);
      CHECK(h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 2s).report_to == row.report_to_after);
    }
  }
  SECTION("a rebase grant moves the fence: the previous owner's plain grants are ignored after it") {
    LeaseHolder h(kReservationTtl);
    sync(h, limits, amounts(3, 0, 0, 0), t0);
    h.rebase("gw-3/300", t0 + 1s);
    auto q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 1s);
    auto g = grant_of(q, amounts(4, 0, 0, 0));
    g.owner = "gw-4/400";
    g.rebase = true;
    REQUIRE(h.apply(g, t0 + 1s));
    q = h.sync_request("key:k", "gw-2/200", limits, {}, t0 + 2s);
    g = grant_of(q, amounts(50, 0, 0, 0));
    g.owner = "gw-3/300";
    CHECK_FALSE(h.apply(g, t0 + 2s));
    CHECK(same(h.held(), amounts(4, 0, 0, 0)));
  }
}

TEST_CASE("lease holder: calls using more tokens than estimated size the next lease by their real use",
          "[lease][holder]") {
  LeaseLimits limits;
  limits.tpm_limit = 1'000'000;
  LeaseHolder h(kReservationTtl);
  // A lease for 1,000 tokens; ten calls estimated at 10 tokens each use 50.
  sync(h, limits, amounts(0, 0, 1000, 0), t0);
  for (int i = 0; i < 10; ++i) {
    const auto r = h.admit(limits, request(0, 10), t0);
    REQUIRE(r.admitted());
    REQUIRE(h.settle(r.reservation, 0, 50, t0));
  }
  const auto q = h.sync_request("key:k", "a/1", limits, {}, t0 + 1s);
  CHECK(q.used_tokens == 500);
  CHECK(q.want.tokens >= 2 * 500);  // not 2 × the 100 estimated
}
