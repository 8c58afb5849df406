// core::LeaseDesk: the owner's side of one entity's leases, driven with hand-written requests
// (and, at the end, with real LeaseHolders).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/budget_refusal.h"
#include "core/lease.h"
#include "tests/unit/core/lease_amounts.h"

using namespace tollgate::core;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const auto t0 = Clock::time_point{} + 1000s;
constexpr auto kLeaseTtl = std::chrono::milliseconds(9s);
const std::string kDesk = "gw-1/100";

LeaseAmounts usd(double value) { return amounts(value, 0, 0, 0); }
LeaseAmounts requests(std::int64_t value) { return amounts(0, value, 0, 0); }

LeaseLimits budget(double max_budget) {
  LeaseLimits l;
  l.max_budget = max_budget;
  return l;
}
LeaseLimits rpm(std::int64_t limit) {
  LeaseLimits l;
  l.rpm_limit = limit;
  return l;
}

// A request from `node` (its report owed to this desk, empty unless set).
LeaseRequest ask(const std::string& node, std::uint64_t seq, const LeaseLimits& limits, const LeaseAmounts& need,
                 const LeaseAmounts& want = {}, const LeaseAmounts& keep = {}) {
  LeaseRequest q;
  q.entity = "key:k";
  q.node = node;
  q.limits = limits;
  q.report_to = kDesk;
  q.report_seq = seq;
  q.keep = keep;
  q.need = need;
  q.want = want;
  return q;
}

}  // namespace

TEST_CASE("lease desk: a grant is keep + need + what is wanted beyond, inside what is left", "[lease][desk]") {
  struct Row {
    const char* name;
    LeaseLimits limits;
    double spend;
    LeaseAmounts need, want, keep;
    LeaseAmounts held;
  };
  LeaseLimits tpm;
  tpm.tpm_limit = 1000;
  LeaseLimits parallel;
  parallel.max_parallel_requests = 4;
  const Row rows[] = {
      {"usd: want fits", budget(10), 0, usd(1), usd(4), {}, usd(4)},
      {"usd: want is more than is left", budget(10), 8, usd(0.5), usd(5), {}, usd(2)},
      {"usd: keep counts toward want", budget(10), 0, usd(1), usd(4), usd(2), usd(4)},
      {"usd: want below keep + need gets keep + need", budget(10), 0, usd(1), usd(0), usd(2), usd(3)},
      {"usd: near the limit, need alone", budget(10), 9, usd(0.4), usd(5), {}, usd(0.4)},
      {"requests", rpm(10), 0, requests(1), requests(5), {}, requests(5)},
      {"tokens", tpm, 0, amounts(0, 0, 100, 0), amounts(0, 0, 400, 0), {}, amounts(0, 0, 400, 0)},
      {"slots", parallel, 0, amounts(0, 0, 0, 1), amounts(0, 0, 0, 8), {}, amounts(0, 0, 0, 4)},
      {"unlimited: not leased", rpm(10), 0, amounts(5, 1, 100, 1), amounts(9, 2, 900, 9), {}, requests(2)},
      {"a renewal (need 0) keeps what is in flight and more", budget(10), 0, {}, usd(6), usd(1), usd(6)},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    LeaseDesk desk(kDesk, kLeaseTtl);
    desk.load(row.spend);
    const auto g = desk.grant(ask("gw-2/1", 1, row.limits, row.need, row.want, row.keep), t0);
    CHECK_FALSE(g.refusal);
    CHECK_FALSE(g.not_owner);
    CHECK(g.owner == kDesk);
    CHECK(g.report_seq == 1);
    CHECK(g.ttl_ms == 9000);
    CHECK(same(g.held, row.held));
    CHECK(same(desk.held_total(t0), row.held));
    CHECK(desk.exposure("gw-2/1") == Approx(row.held.usd));
  }
}

TEST_CASE("lease desk: beyond need, a node gets at most a fair share of what is left", "[lease][desk]") {
  LeaseDesk desk(kDesk, kLeaseTtl);
  REQUIRE(same(desk.grant(ask("a", 1, budget(100), usd(10), usd(10)), t0).held, usd(10)));
  REQUIRE(same(desk.grant(ask("b", 1, budget(100), usd(10), usd(10)), t0).held, usd(10)));
  // c: 100 - 20 held - 1 needed = 79 left, among 3 nodes holding leases (c included).
  const auto c = desk.grant(ask("c", 1, budget(100), usd(1), usd(100)), t0);
  CHECK(c.held.usd == Approx(1 + 79.0 / 3));
  // A holding past its expiry still counts as held (it may be spent), but its node no longer
  // takes a share: d divides among c and itself.
  const auto later = t0 + kLeaseTtl + 1ms;
  LeaseDesk lingering(kDesk, kLeaseTtl, 60s);
  REQUIRE(same(lingering.grant(ask("a", 1, budget(100), usd(10), usd(10)), t0).held, usd(10)));
  REQUIRE(same(lingering.grant(ask("c", 1, budget(100), usd(10), usd(10)), later - 2ms).held, usd(10)));
  const auto d = lingering.grant(ask("d", 1, budget(100), usd(1), usd(100)), later);
  CHECK(d.held.usd == Approx(1 + (100 - 20 - 1) / 2.0));
  CHECK(lingering.spend() == 0);
}

TEST_CASE("lease desk: near the limit, leases shrink to single requests", "[lease][desk]") {
  LeaseDesk desk(kDesk, kLeaseTtl);
  const auto limits = budget(10);
  const auto a = desk.grant(ask("a", 1, limits, usd(5), usd(5)), t0);
  REQUIRE(same(a.held, usd(5)));
  CHECK(a.tight);  // 5 left: under 2 of its requests of 5
  // b: 10 - 5 - 1 = 4 left, 2 nodes: at 2 requests of 1.0 per node it still takes half.
  const auto b = desk.grant(ask("b", 1, limits, usd(1), usd(10)), t0);
  CHECK(same(b.held, usd(3)));
  CHECK(b.tight);  // 2 left once b holds 3: under 2 requests of 1.0 per node
  LeaseDesk roomy(kDesk, kLeaseTtl);
  CHECK_FALSE(roomy.grant(ask("a", 1, limits, usd(1), usd(2)), t0).tight);  // 8 left
  // b returns everything, then asks again with 0.1 more spent: 3.9 left is under 2 × 2 × 1.0.
  CHECK(same(desk.grant(ask("b", 2, limits, {}, {}), t0).held, LeaseAmounts{}));
  desk.load(0.1);
  const auto single = desk.grant(ask("b", 3, limits, usd(1), usd(10)), t0);
  CHECK(same(single.held, usd(1)));
  CHECK(single.tight);  // the node returns unused room at once and keeps none through a sync
  // A renewal (need 0) is sized against the node's last request: nothing beyond keep.
  CHECK(same(desk.grant(ask("b", 4, limits, {}, usd(10), usd(1)), t0).held, usd(1)));

  LeaseDesk requests_desk(kDesk, kLeaseTtl);
  REQUIRE(same(requests_desk.grant(ask("a", 1, rpm(10), requests(6), requests(6)), t0).held, requests(6)));
  CHECK(same(requests_desk.grant(ask("b", 1, rpm(10), requests(1), requests(10)), t0).held, requests(1)));
}

TEST_CASE("lease desk: a node's previous holding is always replaced by the new one", "[lease][desk]") {
  LeaseDesk desk(kDesk, kLeaseTtl);
  const auto limits = budget(10);
  REQUIRE(same(desk.grant(ask("a", 1, limits, usd(10), usd(10)), t0).held, usd(10)));
  const auto refused = desk.grant(ask("b", 1, limits, usd(1), usd(1)), t0);
  REQUIRE(refused.refusal);
  CHECK(refused.tight);
  CHECK(same(refused.held, LeaseAmounts{}));
  // a returns all but 2 (in flight): its 10 is released, b's need now fits.
  CHECK(same(desk.grant(ask("a", 2, limits, {}, usd(2), usd(2)), t0 + 1s).held, usd(2)));
  CHECK(same(desk.grant(ask("b", 2, limits, usd(1), usd(1)), t0 + 1s).held, usd(1)));
  CHECK(same(desk.held_total(t0 + 1s), usd(3)));
  // A refusal replaces the holding too: b keeps only its keep.
  const auto b3 = desk.grant(ask("b", 3, limits, usd(9), usd(9), usd(0.5)), t0 + 2s);
  REQUIRE(b3.refusal);
  CHECK(same(b3.held, usd(0.5)));
  CHECK(same(desk.held_total(t0 + 2s), usd(2.5)));
}

TEST_CASE("lease desk: keep is granted even over the limit, where need is refused", "[lease][desk]") {
  LeaseDesk desk(kDesk, kLeaseTtl);
  REQUIRE(same(desk.grant(ask("a", 1, budget(10), usd(8), usd(8)), t0).held, usd(8)));
  // The limit went down to 5 while a's requests hold 8.
  const auto g = desk.grant(ask("a", 2, budget(5), usd(1), usd(9), usd(8)), t0 + 1s);
  REQUIRE(g.refusal);
  CHECK(g.refusal->limit == RefusedBy::budget);
  CHECK(same(g.held, usd(8)));
  // A renewal asks no need: nothing to refuse, keep granted.
  const auto renewal = desk.grant(ask("a", 3, budget(5), {}, usd(8), usd(8)), t0 + 2s);
  CHECK_FALSE(renewal.refusal);
  CHECK(same(renewal.held, usd(8)));
}

TEST_CASE("lease desk: a report is applied once, whichever incarnation it is owed to", "[lease][desk]") {
  LeaseLimits limits = budget(100);
  limits.rpm_limit = 100;
  limits.tpm_limit = 10000;
  LeaseDesk desk(kDesk, kLeaseTtl);
  desk.load(5);
  auto q = ask("a", 7, limits, {}, {}, {});
  q.spent_usd = 2;
  q.used_requests = 3;
  q.used_tokens = 40;
  q.unflushed_usd = 0.5;  // never counted: a new owner's load collects it (core/lease_handover.h)
  auto g = desk.grant(q, t0);
  CHECK(g.report_seq == 7);
  CHECK(desk.spend() == Approx(7));
  CHECK(desk.requests_in_window(t0) == 3);
  CHECK(desk.tokens_in_window(t0) == 40);

  SECTION("a repeat or an older request changes nothing") {
    REQUIRE(
        same(desk.grant(ask("a", 8, limits, amounts(1, 1, 0, 0), amounts(1, 1, 0, 0)), t0).held, amounts(1, 1, 0, 0)));
    for (const std::uint64_t seq : {std::uint64_t{8}, std::uint64_t{7}, std::uint64_t{1}}) {
      auto again = q;
      again.report_seq = seq;
      again.need = amounts(50, 50, 0, 0);
      g = desk.grant(again, t0 + 1s);
      CHECK(g.report_seq == 0);
      CHECK_FALSE(g.refusal);
      CHECK(same(g.held, amounts(1, 1, 0, 0)));
    }
    CHECK(desk.spend() == Approx(7));
    CHECK(desk.requests_in_window(t0 + 1s) == 3);
  }
  SECTION("owed to another incarnation: applied all the same, the unflushed spend not counted") {
    auto other = q;
    other.report_seq = 8;
    other.report_to = "gw-3/50";
    g = desk.grant(other, t0 + 1s);
    CHECK(g.report_seq == 8);  // answered: the holder clears its report
    CHECK(desk.spend() == Approx(7 + 2));
    CHECK(desk.requests_in_window(t0 + 1s) == 6);
    CHECK(desk.tokens_in_window(t0 + 1s) == 80);
  }
  SECTION("a node's first sync (nothing owed yet) does not count its unflushed spend twice") {
    auto first = ask("b", 1, limits, {}, {}, {});
    first.report_to.clear();
    first.unflushed_usd = 1.25;
    desk.grant(first, t0 + 1s);
    CHECK(desk.spend() == Approx(7));
  }
  SECTION("reported requests enter the window when applied and leave it with their 1 s bucket") {
    CHECK(desk.requests_in_window(t0 + 60999ms) == 3);  // 60 s later and the rest of the bucket
    CHECK(desk.requests_in_window(t0 + 61s) == 0);
    CHECK(desk.tokens_in_window(t0 + 61s) == 0);
  }
}

TEST_CASE("lease desk: rpm, tpm and slot leases leave room for the window and the other holdings", "[lease][desk]") {
  LeaseDesk desk(kDesk, kLeaseTtl);
  LeaseLimits limits = rpm(10);
  limits.tpm_limit = 1000;
  limits.max_parallel_requests = 3;
  auto q = ask("a", 1, limits, {}, {}, {});
  q.used_requests = 4;
  q.used_tokens = 600;
  desk.grant(q, t0);  // 4 requests and 600 tokens in the window
  const auto a = desk.grant(ask("a", 2, limits, amounts(0, 1, 100, 1), amounts(0, 3, 200, 2)), t0);
  REQUIRE_FALSE(a.refusal);
  CHECK(same(a.held, amounts(0, 3, 200, 2)));
  // b: 10 - 4 - 3 = 3 requests left, 1000 - 600 - 200 = 200 tokens, 3 - 2 = 1 slot.
  const auto b = desk.grant(ask("b", 1, limits, amounts(0, 1, 100, 1), amounts(0, 1, 100, 1)), t0);
  CHECK(same(b.held, amounts(0, 1, 100, 1)));
  const auto c = desk.grant(ask("c", 1, limits, amounts(0, 1, 1, 1), amounts(0, 1, 1, 1)), t0);
  REQUIRE(c.refusal);
  CHECK(c.refusal->limit == RefusedBy::max_parallel_requests);
  const auto c2 = desk.grant(ask("c", 2, limits, amounts(0, 1, 101, 0), amounts(0, 1, 101, 0)), t0);
  REQUIRE(c2.refusal);
  CHECK(c2.refusal->limit == RefusedBy::tpm);
  CHECK(c2.refusal->retry_after == 61);
  const auto c3 = desk.grant(ask("c", 3, limits, amounts(0, 1, 100, 0), amounts(0, 1, 100, 0)), t0);
  CHECK_FALSE(c3.refusal);
  // At t0 + 30 s the holdings (expired at t0 + 9 s) are in the window too: 9 requests. At
  // t0 + 61 s the first report's bucket [t0, t0 + 1 s) leaves it, and its room comes back.
  const auto c4 = desk.grant(ask("c", 4, limits, amounts(0, 4, 600, 0), amounts(0, 4, 600, 0)), t0 + 30s);
  REQUIRE(c4.refusal);
  CHECK(c4.refusal->limit == RefusedBy::rpm);
  CHECK(c4.refusal->retry_after == 31);  // the first report's bucket leaves at t0 + 61 s
  const auto early = desk.grant(ask("c", 5, limits, amounts(0, 4, 600, 0), amounts(0, 4, 600, 0)), t0 + 60s);
  REQUIRE(early.refusal);  // exactly 60 s: its bucket still counts
  const auto c5 = desk.grant(ask("c", 6, limits, amounts(0, 4, 600, 0), amounts(0, 4, 600, 0)), t0 + 61s);
  CHECK_FALSE(c5.refusal);
}

TEST_CASE("lease desk: a refusal carries the numbers BudgetLedger's would, so the 429 reads the same",
          "[lease][desk]") {
  SECTION("budget: other nodes' holdings are what is reserved") {
    LedgerLimits ledger_limits;
    ledger_limits.max_budget = 1.0;
    BudgetLedger ledger(15min);
    ledger.load(0.25);
    REQUIRE(ledger.admit(ledger_limits, LedgerRequest{"m", 0.5, 0}, t0).admitted());
    const auto on_one_node = ledger.admit(ledger_limits, LedgerRequest{"m", 0.375, 0}, t0).refusal;
    REQUIRE(on_one_node);

    LeaseDesk desk(kDesk, kLeaseTtl);
    desk.load(0.25);
    REQUIRE(same(desk.grant(ask("a", 1, budget(1.0), usd(0.5), usd(0.5)), t0).held, usd(0.5)));
    const auto in_cluster = desk.grant(ask("b", 1, budget(1.0), usd(0.375), usd(0.375)), t0).refusal;
    REQUIRE(in_cluster);
    const RefusingEntity who{"Key", "my-key", true};
    CHECK(refusal_error(*in_cluster, who).message == refusal_error(*on_one_node, who).message);
    CHECK(refusal_error(*in_cluster, who).message ==
          "Budget has been exceeded! Key=my-key Current cost: 0.25, Reserved by requests in flight: 0.5, "
          "Estimated request cost: 0.375, Max budget: 1");
  }
  SECTION("rpm and tpm: retry-after from the window, per-model names") {
    for (const bool per_model : {false, true}) {
      LedgerLimits ledger_limits;
      (per_model ? ledger_limits.model_rpm_limit : ledger_limits.rpm_limit) = 2;
      BudgetLedger ledger(15min);
      REQUIRE(ledger.admit(ledger_limits, LedgerRequest{"m", 0, 0}, t0).admitted());
      REQUIRE(ledger.admit(ledger_limits, LedgerRequest{"m", 0, 0}, t0).admitted());
      const auto on_one_node = ledger.admit(ledger_limits, LedgerRequest{"m", 0, 0}, t0 + 20500ms).refusal;
      REQUIRE(on_one_node);

      auto limits = rpm(2);
      limits.per_model = per_model;
      LeaseDesk desk(kDesk, kLeaseTtl);
      auto report = ask("a", 1, limits, {}, {}, {});
      report.used_requests = 2;
      desk.grant(report, t0);
      const auto in_cluster = desk.grant(ask("b", 1, limits, requests(1), requests(1)), t0 + 20500ms).refusal;
      REQUIRE(in_cluster);
      CHECK(in_cluster->limit == on_one_node->limit);
      CHECK(in_cluster->retry_after == 41);
      const RefusingEntity who{"Key", "k1", true};
      CHECK(refusal_error(*in_cluster, who).message == refusal_error(*on_one_node, who).message);
      CHECK(refusal_error(*in_cluster, who).headers == refusal_error(*on_one_node, who).headers);
    }
    LeaseLimits tokens;
    tokens.tpm_limit = 100;
    tokens.per_model = true;
    LeaseDesk desk(kDesk, kLeaseTtl);
    const auto r = desk.grant(ask("b", 1, tokens, amounts(0, 0, 101, 0), amounts(0, 0, 101, 0)), t0).refusal;
    REQUIRE(r);
    CHECK(r->limit == RefusedBy::model_tpm);
    CHECK(r->limit_value == 100);
    CHECK(r->retry_after == 1);  // nothing in the window to wait for
  }
  SECTION("parallel, and the ledger's order: slots, rpm, tpm, budget") {
    LeaseLimits all = budget(0);
    all.rpm_limit = 0;
    all.tpm_limit = 0;
    all.max_parallel_requests = 0;
    LeaseDesk desk(kDesk, kLeaseTtl);
    std::uint64_t seq = 0;
    auto g = desk.grant(ask("a", ++seq, all, amounts(1, 1, 1, 1), amounts(1, 1, 1, 1)), t0);
    REQUIRE(g.refusal);
    CHECK(g.refusal->limit == RefusedBy::max_parallel_requests);
    CHECK(g.refusal->limit_value == 0);
    all.max_parallel_requests.reset();
    g = desk.grant(ask("a", ++seq, all, amounts(1, 1, 1, 1), amounts(1, 1, 1, 1)), t0);
    CHECK(g.refusal->limit == RefusedBy::rpm);
    all.rpm_limit.reset();
    g = desk.grant(ask("a", ++seq, all, amounts(1, 1, 1, 1), amounts(1, 1, 1, 1)), t0);
    CHECK(g.refusal->limit == RefusedBy::tpm);
    all.tpm_limit.reset();
    g = desk.grant(ask("a", ++seq, all, amounts(1, 1, 1, 1), amounts(1, 1, 1, 1)), t0);
    CHECK(g.refusal->limit == RefusedBy::budget);
    all.max_budget.reset();
    g = desk.grant(ask("a", ++seq, all, amounts(1, 1, 1, 1), amounts(1, 1, 1, 1)), t0);
    CHECK_FALSE(g.refusal);
    CHECK(same(g.held, LeaseAmounts{}));  // nothing limited, nothing leased
  }
}

TEST_CASE("lease desk: an expired holding counts as spent once its linger is over", "[lease][desk]") {
  LeaseLimits limits = budget(10);
  limits.rpm_limit = 10;
  limits.tpm_limit = 1000;
  limits.max_parallel_requests = 4;
  const auto held = amounts(3, 2, 200, 2);
  for (const auto linger : {std::chrono::milliseconds(0), std::chrono::milliseconds(5s)}) {
    INFO("linger " << linger.count() << " ms");
    LeaseDesk desk(kDesk, kLeaseTtl, linger);
    REQUIRE(same(desk.grant(ask("a", 1, limits, held, held), t0).held, held));
    CHECK(desk.exposure("a") == 3);
    const auto expiry = t0 + kLeaseTtl;
    CHECK(same(desk.held_total(expiry - 1ms), held));
    CHECK_FALSE(desk.idle(expiry - 1ms));
    if (linger.count() > 0) {
      // Past its expiry, within the linger: still held (its node may be cut off, its requests running).
      CHECK(same(desk.held_total(expiry + linger - 1ms), held));
      CHECK_FALSE(desk.idle(expiry + linger - 1ms));
      CHECK(desk.spend() == 0);
    }
    const auto over = expiry + linger;
    CHECK(desk.idle(over));
    CHECK(same(desk.held_total(over), LeaseAmounts{}));
    CHECK(desk.spend() == 3);
    CHECK(desk.requests_in_window(over) == 2);
    CHECK(desk.tokens_in_window(over) == 200);
    CHECK(desk.exposure("a") == 0);
    // The slots came free; spend and windows keep what the node may have used.
    const auto b = desk.grant(ask("b", 1, limits, amounts(7, 8, 800, 4), amounts(7, 8, 800, 4)), over);
    CHECK_FALSE(b.refusal);
    const auto c = desk.grant(ask("c", 1, limits, amounts(0.01, 0, 0, 0), amounts(0.01, 0, 0, 0)), over);
    CHECK(c.refusal);
    // The node comes back and reports what it did spend: counted again (conservative).
    auto late = ask("a", 2, limits, {}, {}, {});
    late.spent_usd = 1;
    desk.grant(late, over + 1s);
    CHECK(desk.spend() == 4);
  }
}

TEST_CASE("lease desk: a node's record goes with its holding: a request delayed past it counts again",
          "[lease][desk]") {
  LeaseDesk desk(kDesk, kLeaseTtl, 1s);
  auto q = ask("a", 5, budget(10), usd(1), usd(1));
  q.spent_usd = 2;
  REQUIRE(desk.grant(q, t0).report_seq == 5);
  auto delayed = q;
  delayed.report_seq = 4;
  CHECK(desk.grant(delayed, t0 + kLeaseTtl).report_seq == 0);  // still remembered
  CHECK(desk.spend() == 2);
  const auto gone = t0 + kLeaseTtl + 1s;
  CHECK(desk.idle(gone));
  CHECK(desk.grant(delayed, gone).report_seq == 4);  // applied as new: conservative
  CHECK(desk.spend() == Approx(2 + 1 + 2));          // report, expired holding, report again
}

TEST_CASE("lease desk: a successor adopts the old owner's holdings and windows", "[lease][desk]") {
  LeaseLimits limits = budget(10);
  limits.rpm_limit = 10;
  limits.max_parallel_requests = 4;
  LeaseDesk old(kDesk, kLeaseTtl);
  old.load(2);
  auto report = ask("a", 1, limits, {}, {}, {});
  report.used_requests = 3;
  old.grant(report, t0);
  REQUIRE(same(old.grant(ask("a", 2, limits, amounts(3, 2, 0, 2), amounts(3, 2, 0, 2)), t0).held, amounts(3, 2, 0, 2)));
  REQUIRE(same(old.grant(ask("b", 1, limits, amounts(1, 1, 0, 1), amounts(1, 1, 0, 1)), t0).held, amounts(1, 1, 0, 1)));
  const auto record = old.holdings();
  REQUIRE(record.size() == 2);

  // The old owner dies at t0 + 1 s. Its successor loads the store's spend (2; a and b settled
  // nothing yet) and adopts the record.
  const auto takeover = t0 + 1s;
  LeaseDesk next("gw-3/300", kLeaseTtl, 5s);
  next.load(2);
  for (const auto& [node, held] : record) next.adopt(node, held, takeover);
  next.adopt_window(old.requests_in_window(takeover), old.tokens_in_window(takeover), takeover);
  CHECK(same(next.held_total(takeover), amounts(4, 3, 0, 3)));
  CHECK(next.requests_in_window(takeover) == 3);
  CHECK(next.exposure("a") == 3);
  // c gets only what the adopted holdings leave: 10 - 2 - 4 usd, 10 - 3 - 3 requests, 4 - 3 slots.
  const auto c = next.grant(ask("c", 1, limits, amounts(1, 1, 0, 1), amounts(9, 9, 0, 4)), takeover);
  CHECK_FALSE(c.refusal);
  CHECK(same(c.held, amounts(1, 1, 0, 1)));  // near every limit: single requests
  CHECK(next.grant(ask("d", 1, limits, amounts(0, 0, 0, 1), amounts(0, 0, 0, 1)), takeover).refusal);
  // b's first sync here: its report is owed to the old owner, applied all the same (b settled
  // 0.5 after the successor loaded the spend); its adopted holding is replaced by its keep.
  auto b = ask("b", 2, limits, {}, {}, amounts(1, 0, 0, 1));
  b.report_to = kDesk;
  b.spent_usd = 0.5;
  b.used_requests = 1;
  const auto gb = next.grant(b, takeover + 1s);
  CHECK(same(gb.held, amounts(1, 0, 0, 1)));
  CHECK(next.spend() == 2.5);
  CHECK(next.requests_in_window(takeover + 1s) == 4);
  next.adopt("b", amounts(5, 5, 0, 4), takeover + 1s);  // b synced already: ignored
  CHECK(same(next.held_total(takeover + 1s), amounts(3 + 1 + 1, 2 + 1, 0, 2 + 1 + 1)));
  // a never comes back: its adopted holding lingers, then counts as spent.
  CHECK(next.exposure("a") == 3);
  next.expire(takeover + kLeaseTtl + 5s);
  CHECK(next.exposure("a") == 0);
  CHECK(next.spend() == Approx(2.5 + 3 + 1));  // a's and c's holdings (c's expired too)
  next.expire(takeover + 1s + kLeaseTtl + 5s);
  CHECK(next.spend() == Approx(2.5 + 3 + 1 + 1));  // and b's
}

TEST_CASE("lease desk: resets follow BudgetLedger's schedule and leave holdings alone", "[lease][desk]") {
  constexpr std::int64_t kHour = 3600 * 1000;
  const std::int64_t anchor = 1'700'000'000'000;
  LeaseDesk desk(kDesk, kLeaseTtl);
  BudgetLedger ledger(15min);
  desk.load(7);
  REQUIRE(same(desk.grant(ask("a", 1, budget(10), usd(2), usd(2)), t0).held, usd(2)));
  CHECK_FALSE(desk.next_reset_ms());
  desk.follow_reset_schedule(kHour, anchor + kHour, anchor);
  ledger.follow_reset_schedule(kHour, anchor + kHour, anchor);
  CHECK(desk.next_reset_ms() == anchor + kHour);
  CHECK_FALSE(desk.reset_if_due(anchor + kHour - 1));
  CHECK(desk.reset_if_due(anchor + 3 * kHour + 5));
  CHECK(ledger.reset_if_due(anchor + 3 * kHour + 5));
  CHECK(desk.next_reset_ms() == ledger.next_reset_ms());
  CHECK(desk.next_reset_ms() == anchor + 4 * kHour);
  CHECK(desk.spend() == 0);
  CHECK(same(desk.held_total(t0), usd(2)));
  // After the reset: 10 - 2 held.
  CHECK(same(desk.grant(ask("b", 1, budget(10), usd(8), usd(8)), t0).held, usd(8)));
}

TEST_CASE("lease desk: a sync with nothing to ask returns unused capacity to the other nodes", "[lease][desk]") {
  const auto reservation_ttl = std::chrono::milliseconds(15min);
  const auto limits = budget(10);
  LeaseDesk desk(kDesk, kLeaseTtl);
  LeaseHolder a(reservation_ttl);
  LeaseHolder b(reservation_ttl, std::uint64_t{1} << 32);
  const auto sync = [&](LeaseHolder& h, const std::string& node, const LeaseAmounts& need, Clock::time_point at) {
    const auto q = h.sync_request("key:k", node, limits, need, at);
    const auto g = desk.grant(q, at);
    REQUIRE(h.apply(g, at));
    return g;
  };
  // a is busy: each time its lease runs dry it asks for twice what it admitted since its last
  // sync (its requests are released: nothing is spent), until it holds everything.
  auto at = t0;
  for (int round = 0; round < 8; ++round) {
    std::vector<std::uint64_t> admitted;
    LeaseAmounts need;
    for (;;) {
      const auto r = a.admit(limits, LedgerRequest{"m", 0.5, 0}, at);
      if (!r.admitted()) {
        need = r.need;
        break;
      }
      admitted.push_back(r.reservation);
    }
    for (const auto id : admitted) REQUIRE(a.release(id));
    sync(a, "a", need, at);
    at += 10ms;
  }
  CHECK(a.held().usd == Approx(10));
  // b's request does not fit while a holds it.
  const auto refused = b.admit(limits, LedgerRequest{"m", 1.0, 0}, at);
  REQUIRE_FALSE(refused.admitted());
  CHECK(sync(b, "b", refused.need, at).refusal);
  // a goes idle; a renewal with nothing in flight and no use since returns it all.
  sync(a, "a", {}, at);  // the period of use ends
  at += 1s;
  const auto back = sync(a, "a", {}, at);
  CHECK(same(back.held, LeaseAmounts{}));
  CHECK(same(desk.held_total(at), LeaseAmounts{}));
  const auto again = b.admit(limits, LedgerRequest{"m", 1.0, 0}, at);
  REQUIRE_FALSE(again.admitted());
  CHECK_FALSE(sync(b, "b", again.need, at).refusal);
  CHECK(b.admit(limits, LedgerRequest{"m", 1.0, 0}, at).admitted());
}

TEST_CASE("lease desk: a refusal says whether other nodes' holdings were in the way", "[lease][desk]") {
  struct Row {
    const char* name;
    LeaseLimits limits;
    LeaseAmounts other;  // what another node holds first
    LeaseAmounts need;   // what this node then asks for
    bool contended;
  };
  LeaseLimits slots;
  slots.max_parallel_requests = 2;
  LeaseLimits tpm;
  tpm.tpm_limit = 100;
  const Row rows[] = {
      {"budget held by another node", budget(1), usd(1), usd(0.5), true},
      {"budget too small even for this node alone", budget(1), usd(0.75), usd(1.5), false},
      {"rpm held by another node", rpm(2), requests(2), requests(1), true},
      {"tpm held by another node", tpm, amounts(0, 0, 100, 0), amounts(0, 0, 60, 0), true},
      {"tpm too small alone", tpm, amounts(0, 0, 50, 0), amounts(0, 0, 150, 0), false},
      {"slots held by another node", slots, amounts(0, 0, 0, 2), amounts(0, 0, 0, 1), true},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    LeaseDesk desk(kDesk, kLeaseTtl);
    REQUIRE_FALSE(desk.grant(ask("a", 1, row.limits, row.other, row.other), t0).refusal);
    const auto g = desk.grant(ask("b", 1, row.limits, row.need, row.need), t0);
    REQUIRE(g.refusal);
    CHECK(g.contended == row.contended);
  }
  // Nobody else holds anything: a refusal is the limit's own.
  LeaseDesk alone(kDesk, kLeaseTtl);
  const auto g = alone.grant(ask("b", 1, budget(1), usd(2), usd(2)), t0);
  REQUIRE(g.refusal);
  CHECK_FALSE(g.contended);
}

TEST_CASE("lease desk: what each node reported in the last minute, for its exposure record", "[lease][desk]") {
  LeaseDesk desk(kDesk, kLeaseTtl);
  LeaseLimits limits;
  limits.rpm_limit = 100;
  limits.tpm_limit = 10000;
  auto q = ask("a", 1, limits, amounts(0, 1, 10, 0), amounts(0, 1, 10, 0));
  desk.grant(q, t0);
  q.report_seq = 2;
  q.used_requests = 3;
  q.used_tokens = 120;
  desk.grant(q, t0 + 5s);  // renewals inside the lease ttl (9 s): the node's record stays
  q.report_seq = 3;
  q.used_requests = 2;
  q.used_tokens = 80;
  desk.grant(q, t0 + 10s);
  using Use = std::pair<std::int64_t, std::int64_t>;
  CHECK(desk.reported_recently("a", t0 + 10s) == Use{5, 200});
  CHECK(desk.reported_recently("a", t0 + 65s) == Use{5, 200});  // its 1 s bucket counts until t0 + 66 s
  CHECK(desk.reported_recently("a", t0 + 66s) == Use{2, 80});   // the first report left the minute
  CHECK(desk.reported_recently("b", t0 + 10s) == Use{0, 0});
}
