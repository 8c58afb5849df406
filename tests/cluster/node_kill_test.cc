// A node killed with SIGKILL under load (issue #11, "Failure"): the survivors keep serving
// through nginx, only what was in flight on the killed node fails, and once it restarts on the
// same spend journal no settled cost is missing from the store.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "core/key_hash.h"
#include "tests/cluster/cluster_harness.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Timed {
  Clock::time_point sent;
  Outcome outcome;
};

struct LoadRun {
  std::vector<Timed> sent;
  Clock::time_point killed_at;
};

constexpr int kThreads = 6;

// kThreads clients send `body` with `key` through nginx for 1.5 s, then node `victim` is killed
// with SIGKILL, and they go on for 2 s more (past the 1 s TTL: the others have dropped it).
LoadRun load_and_kill(ClusterHarness& cluster, const std::string& key, const std::string& body, int victim) {
  LoadRun run;
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::thread> load;
  for (int t = 0; t < kThreads; ++t) {
    load.emplace_back([&] {
      std::unique_ptr<HttpConnection> connection;
      while (!stop) {
        const auto at = Clock::now();
        auto outcome = chat(connection, cluster.front_port(), key, body);
        std::lock_guard lock(mutex);
        run.sent.push_back({at, std::move(outcome)});
      }
    });
  }
  std::this_thread::sleep_for(1500ms);
  run.killed_at = Clock::now();
  cluster.kill_node(victim);
  std::this_thread::sleep_for(2000ms);
  stop = true;
  for (auto& t : load) t.join();
  return run;
}

struct Counts {
  int ok_before = 0;
  int ok_after = 0;
  int failed = 0;       // the killed node's in-flight requests (502 from nginx)
  int failed_late = 0;  // failures of requests sent well after the kill
  double reported = 0;  // Σ x-litellm-response-cost of the 200s
  int ok() const { return ok_before + ok_after; }
};

// Every answer is a 200, a refusal of type `refusal` (when given), or a failure of the killed
// node's in-flight requests.
Counts count(const LoadRun& run, const std::string& refusal = "") {
  Counts c;
  for (const auto& s : run.sent) {
    if (s.outcome.status == 200) {
      (s.sent < run.killed_at ? c.ok_before : c.ok_after) += 1;
      c.reported += s.outcome.cost;
    } else if (!refusal.empty() && s.outcome.status == 429 && s.outcome.error_type == refusal) {
      continue;
    } else {
      ++c.failed;
      INFO("status " << s.outcome.status << " " << s.outcome.error_type);
      CHECK((s.outcome.status == 502 || s.outcome.status == 0));  // nginx: the node went away mid-request
      // Sent before the kill, or the instant after (nginx's kept-alive connection to it).
      if (s.sent > run.killed_at + 100ms) ++c.failed_late;
    }
  }
  return c;
}

// The spend_logs rows of `key` and keys.spend, straight from PostgreSQL.
std::pair<std::int64_t, double> store_spend(const ClusterHarness& cluster, const std::string& key) {
  const auto connection = cluster.db().open_connection();
  const auto rows = connection->query("SELECT COUNT(*) FROM spend_logs WHERE api_key = $1",
                                      {persistence::SqlValue(core::hash_key(key))});
  return {rows.at(0).int64(0), key_spend_in_db(cluster, key)};
}

// After the restart, polls until the store holds `rows` spend rows for `key` and at least
// `reported`, or 10 s pass; returns what it holds then.
std::pair<std::int64_t, double> store_spend_after_replay(const ClusterHarness& cluster, const std::string& key,
                                                         std::int64_t rows, double reported) {
  std::pair<std::int64_t, double> after{};
  for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    after = store_spend(cluster, key);
    if (after.first >= rows && after.second >= reported * (1 - 1e-9)) break;
    std::this_thread::sleep_for(100ms);
  }
  return after;
}

// The store after the replay against what the clients were answered: every 200 is there, and at
// most the requests that failed on the killed node besides — a call settles (its journal record
// written) before its answer is sent (docs/budgets.md), so a kill between the two leaves a cost
// charged whose answer nginx turned into a 502. The provider answered it: the cost is real.
void check_settled(const std::pair<std::int64_t, double>& after, const Counts& c) {
  const double per_request = c.ok() > 0 ? c.reported / c.ok() : 0;  // every request here costs the same
  INFO("store " << after.first << " rows $" << after.second << ", answered " << c.ok() << " $" << c.reported
                << ", failed on the killed node " << c.failed);
  CHECK(after.first >= c.ok());
  CHECK(after.first <= c.ok() + c.failed);
  CHECK(after.second >= c.reported * (1 - 1e-9));
  CHECK(after.second <= (c.reported + c.failed * per_request) * (1 + 1e-9));
}

}  // namespace

TEST_CASE("kill -9 of a node under load: survivors serve, and after its restart the store holds every settled cost",
          "[cluster][failure]") {
  ClusterHarness cluster;
  const auto key = new_key(cluster, cluster.front_port());
  // 30 ms at the provider: each connection has a request in flight most of the time.
  const std::string body = R"({"model":"loaded","messages":[{"role":"user","content":"a short question"}]})";
  const auto run = load_and_kill(cluster, key, body, 1);
  const auto c = count(run);
  CHECK(c.ok_before > 0);
  CHECK(c.ok_after > 0);                   // the survivors kept serving through nginx
  CHECK(c.failed <= kThreads);             // at most one request per client connection was on it
  CHECK(c.failed_late == 0);               // nothing sent after the kill fails
  CHECK(cluster.wait_for_members(2, 3s));  // and the membership let it go

  const auto [rows_before_restart, spend_before_restart] = store_spend(cluster, key);
  cluster.restart_node(1);  // same node id, port and spend journal: replays what it had not flushed
  CHECK(cluster.wait_for_members(3, 3s));
  const auto after = store_spend_after_replay(cluster, key, c.ok(), c.reported);
  check_settled(after, c);
  WARN("kill -9 under load: " << run.sent.size() << " requests, " << c.ok() << " answered (" << c.ok_after
                              << " after the kill), " << c.failed << " failed on the killed node; store before its "
                              << "restart " << rows_before_restart << " rows $" << spend_before_restart << ", after "
                              << after.first << " rows $" << after.second << " = reported $" << c.reported);
}

// Without leases each node would spend the budget alone (see exactness_test.cc). The victim is
// the key's owner: its leases die with it, and the new owner must not
// grant what they might still spend.
TEST_CASE("kill -9 of a tight budget's owner under load: overshoot stays 0, every settled cost reaches the store",
          "[cluster][failure][leases]") {
  ClusterHarness cluster;
  // About 170 answers a second here: it runs out after the kill (1.5 s) and before the end (3.5 s).
  constexpr int kAffordable = 400;
  const double budget = kAffordable * kExactRequestCost;
  const auto key = new_key(cluster, cluster.front_port(), R"({"max_budget":)" + std::to_string(budget) + "}");
  const int owner = node_index(cluster, ring_owner(cluster, "key:" + core::hash_key(key)));
  const auto run = load_and_kill(cluster, key, exact_cost_body(), owner);
  const auto c = count(run, "budget_exceeded");
  CHECK(c.ok_after > 0);
  CHECK(c.failed <= kThreads);
  CHECK(c.failed_late == 0);
  CHECK(c.ok() <= kAffordable);
  cluster.restart_node(owner);
  const auto after = store_spend_after_replay(cluster, key, c.ok(), c.reported);
  check_settled(after, c);
  const double overshoot = std::max(0.0, after.second - budget);
  CHECK(overshoot <= budget * 1e-9);
  WARN("kill -9 of the owner (" << cluster.node_id(owner) << ") of a budget for " << kAffordable
                                << " requests: " << c.ok() << " answered (" << c.ok_after << " after the kill), "
                                << c.failed << " failed on it, spend $" << after.second << " of $" << budget
                                << ", overshoot $" << overshoot);
}

// The issue's handover case: leases outstanding on every node while the owner leaves the ring
// gracefully (its entities move to another node, which fences every node and adopts their
// leases) and then joins again (they move back, the same way). Judged on the database.
TEST_CASE("handover with leases out: the owner leaves gracefully and rejoins under load, overshoot 0",
          "[cluster][leases]") {
  ClusterHarness cluster;
  constexpr int kAffordable = 400;  // runs out during the run (about 170 answers a second)
  const double budget = kAffordable * kExactRequestCost;
  const auto key = new_key(cluster, cluster.front_port(), R"({"max_budget":)" + std::to_string(budget) + "}");
  const int owner = node_index(cluster, ring_owner(cluster, "key:" + core::hash_key(key)));

  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<Outcome> outcomes;
  std::vector<std::thread> load;
  for (int t = 0; t < kThreads; ++t) {
    load.emplace_back([&] {
      std::unique_ptr<HttpConnection> connection;
      while (!stop) {
        auto outcome = chat(connection, cluster.front_port(), key, exact_cost_body());
        std::lock_guard lock(mutex);
        outcomes.push_back(std::move(outcome));
      }
    });
  }
  std::this_thread::sleep_for(800ms);
  cluster.stop_node(owner);  // leaves: the others take its entities over
  REQUIRE(cluster.wait_for_members(2, 5s));
  std::this_thread::sleep_for(500ms);
  cluster.restart_node(owner);  // joins: its entities come back to it
  REQUIRE(cluster.wait_for_members(3, 5s));
  std::this_thread::sleep_for(1500ms);
  // On a loaded machine fewer requests fit in that time: the load goes on until the budget has
  // run out (the test is about exactness at the limit), or 20 s.
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  auto ran_out = [&] {
    std::lock_guard lock(mutex);
    return std::any_of(outcomes.begin(), outcomes.end(),
                       [](const Outcome& o) { return o.status == 429 && o.error_type == "budget_exceeded"; });
  };
  while (!ran_out() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(50ms);
  stop = true;
  for (auto& t : load) t.join();

  int ok = 0, refused = 0, other = 0;
  double reported = 0;
  for (const auto& o : outcomes) {
    if (o.status == 200) {
      ++ok;
      reported += o.cost;
    } else if (o.status == 429 && o.error_type == "budget_exceeded") {
      ++refused;
    } else {
      ++other;  // a connection nginx had open to the leaving node
      INFO("status " << o.status << " " << o.error_type);
      CHECK((o.status == 502 || o.status == 0));
    }
  }
  CHECK(other <= kThreads);
  CHECK(refused > 0);  // the budget ran out during the run: exactness was tested at the limit
  CHECK(ok <= kAffordable);
  const auto after = store_spend_after_replay(cluster, key, ok, reported);
  CHECK(after.first == ok);
  CHECK(after.second == Approx(reported).epsilon(1e-9));
  const double overshoot = std::max(0.0, after.second - budget);
  CHECK(overshoot <= budget * 1e-9);
  WARN("graceful leave and rejoin of the owner ("
       << cluster.node_id(owner) << ") of a budget for " << kAffordable << " requests: " << ok << " answered, "
       << refused << " refused, " << other << " failed, spend $" << after.second << " of $" << budget << ", overshoot $"
       << overshoot);
}
