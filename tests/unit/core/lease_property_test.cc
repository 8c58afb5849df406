// Leases, randomized: 3 to 5 nodes' LeaseHolders and one owner's LeaseDesk driven through
// thousands of random steps (fixed seeds) — admissions, settles (a few above the reservation),
// releases, syncs answered, lost before the owner saw them, delayed past the node's timeout,
// or lost after the owner applied them; node deaths (holder discarded, its requests gone, its
// request possibly still in transit), time jumps past lease and reservation ttls, resets and
// limit changes. After every step the test compares what really happened with the owner's
// books and the limits:
//   covered:  real use ≤ the owner's spend/windows + Σ holdings             (always)
//   bounded:  a grant beyond keep leaves spend/windows + Σ holdings ≤ limit (always)
//   exact:    real use ≤ limit — budget per reset period, rpm and tpm in every 60 s window,
//             slots at every moment                                          (fixed limits)
// where real use counts settled cost (and tokens) plus what requests in flight reserve, and any
// settle above its reservation is added to the limit it could exceed.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/lease.h"
#include "tests/unit/core/lease_random.h"

using namespace tollgate::core;
using namespace std::chrono_literals;

namespace {

const auto t0 = Clock::time_point{} + 1000s;
constexpr std::int64_t kWallAnchorMs = 1'700'000'000'000;
constexpr auto kLeaseTtl = std::chrono::milliseconds(5s);
constexpr auto kReservationTtl = std::chrono::milliseconds(12s);
constexpr auto kWindow = std::chrono::milliseconds(60s);
const std::string kEntity = "key:k";

struct Family {
  const char* name;
  bool resets;
  bool limit_changes;
  double max_budget;
  bool ownership_moves = false;
};

struct Admission {
  Clock::time_point at;
  bool withdrawn = false;  // released, or expired by its holder: never counted, like BudgetLedger
};

struct InFlight {
  double worst = 0;
  std::int64_t estimate = 0;
  std::size_t admission = 0;
};

struct Sync {
  LeaseRequest request;
  Clock::time_point sent;
  std::optional<LeaseGrant> grant;  // set once the owner processed the request
};

struct Node {
  std::string id;
  int generation = 0;
  std::optional<LeaseHolder> holder;
  std::map<std::uint64_t, InFlight> in_flight;
  std::optional<Sync> sync;
  std::vector<LedgerRequest> waiting;  // requests waiting for the sync in flight (the first one's need)
  std::string incarnation() const { return id + "/" + std::to_string(generation); }
};

struct Stats {
  int admitted = 0, refused = 0, settled = 0, over_settled = 0, released = 0, expired = 0;
  int syncs = 0, applied = 0, refusals = 0, lost_requests = 0, delayed = 0, lost_grants = 0, deaths = 0;
  int stale = 0, resets = 0, limit_changes = 0, ownership_moves = 0;
};

class World {
 public:
  World(std::uint64_t seed, int nodes, const Family& family)
      : dice_(seed), family_(family), desk_("owner/1", kLeaseTtl, kReservationTtl) {
    // Odd seeds: tight rate limits (leases of single requests most of the time); even: wide.
    const bool tight = seed % 2 == 1;
    limits_.max_budget = family.max_budget * (tight ? 1 : 4);
    limits_.rpm_limit = tight ? 30 : 200;
    limits_.tpm_limit = tight ? 6000 : 40000;
    limits_.max_parallel_requests = tight ? 4 : 12;
    ceiling_ = limits_;
    for (int i = 0; i < nodes; ++i) {
      nodes_.push_back(Node{});
      nodes_.back().id = "n" + std::to_string(i);
      restart(nodes_.back());
    }
    if (family.resets) desk_.follow_reset_schedule(20'000, kWallAnchorMs + 20'000, wall_ms());
  }

  void step() {
    auto& n = nodes_[dice_.pick(nodes_.size())];
    const int roll = static_cast<int>(dice_.uniform(0, 1000));
    if (roll < 250) {
      admit(n);
    } else if (roll < 400) {
      settle(n);
    } else if (roll < 440) {
      release(n);
    } else if (roll < 500) {
      renew(n);
    } else if (roll < 515) {
      if (!n.sync) send(n, {});  // a sync with nothing to ask, at any moment
    } else if (roll < 665) {
      process(in_transit([](const Node& m) { return m.sync && !m.sync->grant; }));
    } else if (roll < 815) {
      deliver(in_transit([](const Node& m) { return m.sync && m.sync->grant; }));
    } else if (roll < 835) {
      lose(in_transit([](const Node& m) { return m.sync.has_value(); }));
    } else if (roll < 850) {
      process_delayed();
    } else if (roll < 855) {
      die(n);
    } else if (roll < 857 && family_.limit_changes) {
      change_limits();
    } else if (roll < 859 && family_.ownership_moves) {
      move_ownership();
    } else {
      advance();
    }
  }

  // Real use against the owner's books and the limits.
  void check() {
    const auto held = desk_.held_total(now_);
    double reserved_usd = 0;
    std::int64_t reserved_tokens = 0;
    std::int64_t slots = 0;
    for (const auto& n : nodes_) {
      REQUIRE(n.holder->in_flight() == static_cast<int>(n.in_flight.size()));
      for (const auto& [id, r] : n.in_flight) {
        reserved_usd += r.worst;
        reserved_tokens += r.estimate;
      }
      slots += static_cast<std::int64_t>(n.in_flight.size());
    }
    const double real_usd = period_settled_usd_ + reserved_usd;
    const std::int64_t real_requests = requests_in_window();
    const std::int64_t real_tokens = tokens_in_window() + reserved_tokens;
    INFO("step " << steps_ << ": real usd " << real_usd << ", spend " << desk_.spend() << ", held usd " << held.usd
                 << "; real requests " << real_requests << ", window " << desk_.requests_in_window(now_)
                 << ", held requests " << held.requests << "; real tokens " << real_tokens << ", window "
                 << desk_.tokens_in_window(now_) << ", held tokens " << held.tokens << "; slots " << slots
                 << ", held slots " << held.parallel);
    // covered
    REQUIRE(real_usd <= desk_.spend() + held.usd + over_usd_ + 1e-9);
    REQUIRE(real_requests <= desk_.requests_in_window(now_) + held.requests);
    REQUIRE(real_tokens <= desk_.tokens_in_window(now_) + held.tokens + over_tokens_);
    REQUIRE(slots <= held.parallel);
    // exact (with changing limits: never past the highest limit set)
    const auto& limit = family_.limit_changes ? ceiling_ : limits_;
    REQUIRE(real_usd <= *limit.max_budget + over_usd_ + 1e-9);
    REQUIRE(real_requests <= *limit.rpm_limit);
    REQUIRE(real_tokens <= *limit.tpm_limit + over_tokens_);
    REQUIRE(slots <= *limit.max_parallel_requests);
    ++steps_;
  }

  const Stats& stats() const { return stats_; }
  double total_settled() const { return total_settled_usd_; }
  double settled_above_reservations() const { return over_usd_; }
  double max_budget() const { return *limits_.max_budget; }

 private:
  // A random node whose sync is at the stage `at` (any node when none is).
  template <typename At>
  Node& in_transit(At at) {
    std::vector<Node*> candidates;
    for (auto& n : nodes_) {
      if (at(n)) candidates.push_back(&n);
    }
    return candidates.empty() ? nodes_[dice_.pick(nodes_.size())] : *candidates[dice_.pick(candidates.size())];
  }
  std::int64_t wall_ms() const {
    return kWallAnchorMs + std::chrono::duration_cast<std::chrono::milliseconds>(now_ - t0).count();
  }

  void restart(Node& n) {
    ++n.generation;
    n.holder.emplace(kReservationTtl, (static_cast<std::uint64_t>(n.generation) << 32) + 1);
    n.in_flight.clear();
    n.sync.reset();
    n.waiting.clear();
  }

  void record(Node& n, std::uint64_t reservation, const LedgerRequest& r) {
    admissions_.push_back(Admission{now_});
    n.in_flight[reservation] = InFlight{r.worst_case_cost, r.tokens_estimate, admissions_.size() - 1};
    ++stats_.admitted;
  }

  void admit(Node& n) {
    const LedgerRequest r = dice_.request();
    const auto a = n.holder->admit(limits_, r, now_);
    if (a.admitted()) {
      record(n, a.reservation, r);
      return;
    }
    n.waiting.push_back(r);  // waits for the sync (sent for the first one)
    if (!n.sync) send(n, a.need);
  }

  void send(Node& n, const LeaseAmounts& need) {
    n.sync = Sync{n.holder->sync_request(kEntity, n.incarnation(), limits_, need, now_), now_, std::nullopt};
    ++stats_.syncs;
  }

  void renew(Node& n) {
    if (!n.sync && n.holder->renewal_due(now_)) send(n, {});
  }

  // The owner answers, checking that nothing beyond keep went past a limit.
  LeaseGrant answer(const LeaseRequest& q) {
    const auto g = desk_.grant(q, now_);
    if (g.report_seq == 0) {
      ++stats_.stale;
      return g;
    }
    stats_.refusals += g.refusal.has_value();
    const auto total = desk_.held_total(now_);
    const auto& l = q.limits;
    INFO("grant to " << q.node << " seq " << q.report_seq);
    if (l.max_budget && g.held.usd > q.keep.usd + 1e-12) {
      REQUIRE(desk_.spend() + total.usd <= *l.max_budget * (1 + 1e-12) + 1e-12);
    }
    if (l.rpm_limit && g.held.requests > q.keep.requests) {
      REQUIRE(desk_.requests_in_window(now_) + total.requests <= *l.rpm_limit);
    }
    if (l.tpm_limit && g.held.tokens > q.keep.tokens) {
      REQUIRE(desk_.tokens_in_window(now_) + total.tokens <= *l.tpm_limit);
    }
    if (l.max_parallel_requests && g.held.parallel > q.keep.parallel) {
      REQUIRE(total.parallel <= *l.max_parallel_requests);
    }
    return g;
  }

  void process(Node& n) {
    if (n.sync && !n.sync->grant) n.sync->grant = answer(n.sync->request);
  }

  void deliver(Node& n) {
    if (!n.sync || !n.sync->grant) return;
    const auto sync = *n.sync;
    n.sync.reset();
    const bool applied = n.holder->apply(*sync.grant, sync.sent);
    REQUIRE(applied == (sync.grant->report_seq != 0 || sync.grant->not_owner));
    ++stats_.applied;
    // The waiting requests try again in order. When the owner refused, they are refused; else
    // the first that does not fit asks again and the rest keep waiting.
    auto waiting = std::move(n.waiting);
    n.waiting.clear();
    for (const auto& r : waiting) {
      if (n.sync) {
        n.waiting.push_back(r);
        continue;
      }
      const auto a = n.holder->admit(limits_, r, now_);
      if (a.admitted()) {
        record(n, a.reservation, r);
      } else if (sync.grant->refusal || (sync.grant->report_seq == 0 && !sync.grant->not_owner)) {
        ++stats_.refused;
      } else {
        n.waiting.push_back(r);
        send(n, a.need);
      }
    }
  }

  // The node gives up on its sync: the request was lost, will reach the owner late, or the
  // owner's answer was lost.
  void lose(Node& n) {
    if (!n.sync) return;
    if (n.sync->grant) {
      ++stats_.lost_grants;
    } else if (dice_.uniform(0, 1) < 0.5) {
      delayed_.push_back(n.sync->request);
      ++stats_.delayed;
    } else {
      ++stats_.lost_requests;
    }
    n.holder->sync_failed();
    n.sync.reset();
    stats_.refused += static_cast<int>(n.waiting.size());  // they time out with it
    n.waiting.clear();
  }

  void process_delayed() {
    if (delayed_.empty()) return;
    const auto q = delayed_.front();
    delayed_.erase(delayed_.begin());
    answer(q);  // nobody is waiting for this answer any more
  }

  void die(Node& n) {
    if (n.sync && !n.sync->grant) delayed_.push_back(n.sync->request);  // still on the wire
    ++stats_.deaths;
    restart(n);
  }

  void settle(Node& n) {
    if (n.in_flight.empty()) return;
    auto it = n.in_flight.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(dice_.pick(n.in_flight.size())));
    const auto r = it->second;
    const auto [cost, tokens, above] = dice_.charge(r.worst, r.estimate);
    if (above) {  // the provider charged more than the worst case
      over_usd_ += cost - r.worst;
      over_tokens_ += tokens - r.estimate;
      ++stats_.over_settled;
    }
    REQUIRE(n.holder->settle(it->first, cost, tokens, now_));
    n.in_flight.erase(it);
    renew(n);  // as the node does after every settle and release
    period_settled_usd_ += cost;
    total_settled_usd_ += cost;
    token_log_.emplace_back(now_, tokens);
    ++stats_.settled;
  }

  void release(Node& n) {
    if (n.in_flight.empty()) return;
    auto it = n.in_flight.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(dice_.pick(n.in_flight.size())));
    REQUIRE(n.holder->release(it->first));
    admissions_[it->second.admission].withdrawn = true;
    n.in_flight.erase(it);
    renew(n);
    ++stats_.released;
  }

  void advance() {
    now_ += dice_.time_step();
    for (auto& n : nodes_) {
      for (const auto id : n.holder->expire(now_)) {
        const auto it = n.in_flight.find(id);
        REQUIRE(it != n.in_flight.end());
        admissions_[it->second.admission].withdrawn = true;
        n.in_flight.erase(it);
        ++stats_.expired;
      }
    }
    if (family_.resets && desk_.reset_if_due(wall_ms())) {
      period_settled_usd_ = 0;
      ++stats_.resets;
    }
  }

  // The owner dies. Its successor loads the store's spend (everything settled: the nodes'
  // unflushed spend included) and adopts the dead owner's write-ahead record: its holdings and
  // window totals. Requests sent to the dead owner are lost or, for a graceful move, answered
  // not_owner; answers already on the wire still arrive.
  void move_ownership() {
    const auto holdings = desk_.holdings();
    const auto requests = desk_.requests_in_window(now_);
    const auto tokens = desk_.tokens_in_window(now_);
    const auto next_reset = desk_.next_reset_ms();
    desk_ = LeaseDesk("owner/" + std::to_string(++stats_.ownership_moves + 1), kLeaseTtl, kReservationTtl);
    desk_.load(period_settled_usd_);
    for (const auto& [node, held] : holdings) desk_.adopt(node, held, now_);
    desk_.adopt_window(requests, tokens, now_);
    if (family_.resets) desk_.follow_reset_schedule(20'000, next_reset, wall_ms());
    const bool graceful = dice_.uniform(0, 1) < 0.5;
    for (auto& n : nodes_) {
      if (!n.sync || n.sync->grant) continue;
      if (graceful) {
        LeaseGrant moved;
        moved.not_owner = true;
        n.sync->grant = moved;
      } else {
        lose(n);
      }
    }
    delayed_.clear();
  }

  void change_limits() {
    limits_.max_budget = dice_.uniform(5, 40);
    limits_.rpm_limit = dice_.uniform_int(5, 40);
    limits_.tpm_limit = dice_.uniform_int(500, 8000);
    limits_.max_parallel_requests = dice_.uniform_int(1, 8);
    ceiling_.max_budget = std::max(*ceiling_.max_budget, *limits_.max_budget);
    ceiling_.rpm_limit = std::max(*ceiling_.rpm_limit, *limits_.rpm_limit);
    ceiling_.tpm_limit = std::max(*ceiling_.tpm_limit, *limits_.tpm_limit);
    ceiling_.max_parallel_requests = std::max(*ceiling_.max_parallel_requests, *limits_.max_parallel_requests);
    ++stats_.limit_changes;
  }

  std::int64_t requests_in_window() const {
    std::int64_t count = 0;
    for (const auto& a : admissions_) count += !a.withdrawn && now_ - a.at < kWindow;
    return count;
  }
  std::int64_t tokens_in_window() const {
    std::int64_t sum = 0;
    for (const auto& [at, tokens] : token_log_) sum += now_ - at < kWindow ? tokens : 0;
    return sum;
  }

  tollgate::testing::LeaseDice dice_;
  Family family_;
  LeaseDesk desk_;
  LeaseLimits limits_;
  LeaseLimits ceiling_;  // the highest of each limit set so far
  std::vector<Node> nodes_;
  std::vector<LeaseRequest> delayed_;
  Clock::time_point now_ = t0;
  std::vector<Admission> admissions_;
  std::vector<std::pair<Clock::time_point, std::int64_t>> token_log_;
  double period_settled_usd_ = 0;  // since the last reset
  double total_settled_usd_ = 0;
  double over_usd_ = 0;  // settled above the reservation
  std::int64_t over_tokens_ = 0;
  Stats stats_;
  int steps_ = 0;
};

}  // namespace

TEST_CASE("lease property: across random nodes, failures and time, the cluster never exceeds a limit",
          "[lease][property]") {
  const Family families[] = {
      {"fixed limits, no resets", false, false, 60.0},
      {"fixed limits, resets every 20 s", true, false, 25.0},
      {"changing limits and resets", true, true, 25.0},
      {"ownership moves and resets", true, false, 25.0, true},
  };
  constexpr int kSteps = 8000;
  for (const auto& family : families) {
    Stats sum;
    for (std::uint64_t seed = 1; seed <= 16; ++seed) {
      const int nodes = 3 + static_cast<int>(seed % 3);
      INFO(family.name << ", seed " << seed << ", " << nodes << " nodes");
      World world(seed, nodes, family);
      for (int i = 0; i < kSteps; ++i) {
        world.step();
        world.check();
      }
      if (!family.resets && !family.limit_changes) {
        // Every settle within its reservation would have kept the total within max_budget.
        CHECK(world.total_settled() <= world.max_budget() + world.settled_above_reservations() + 1e-9);
      }
      const auto& s = world.stats();
      sum.admitted += s.admitted;
      sum.refused += s.refused;
      sum.settled += s.settled;
      sum.over_settled += s.over_settled;
      sum.released += s.released;
      sum.expired += s.expired;
      sum.syncs += s.syncs;
      sum.applied += s.applied;
      sum.refusals += s.refusals;
      sum.lost_requests += s.lost_requests;
      sum.delayed += s.delayed;
      sum.lost_grants += s.lost_grants;
      sum.deaths += s.deaths;
      sum.stale += s.stale;
      sum.resets += s.resets;
      sum.limit_changes += s.limit_changes;
      sum.ownership_moves += s.ownership_moves;
    }
    INFO(family.name << ": admitted " << sum.admitted << ", refused " << sum.refused << ", settled " << sum.settled
                     << " (" << sum.over_settled << " above), released " << sum.released << ", expired " << sum.expired
                     << ", syncs " << sum.syncs << ", applied " << sum.applied << ", refusals " << sum.refusals
                     << ", lost requests " << sum.lost_requests << ", delayed " << sum.delayed << ", lost grants "
                     << sum.lost_grants << ", deaths " << sum.deaths << ", stale " << sum.stale << ", resets "
                     << sum.resets << ", limit changes " << sum.limit_changes);
    // Every kind of event happened, often enough to matter.
    CHECK(sum.admitted > 1000);
    CHECK(sum.refused > 100);
    CHECK(sum.over_settled > 10);
    CHECK(sum.expired > 0);
    CHECK(sum.refusals > 100);
    CHECK(sum.lost_grants > 50);
    CHECK(sum.delayed > 50);
    CHECK(sum.deaths > 50);
    CHECK(sum.stale > 0);
    if (family.resets) CHECK(sum.resets > 50);
    if (family.limit_changes) CHECK(sum.limit_changes > 50);
    if (family.ownership_moves) CHECK(sum.ownership_moves > 50);
  }
}
