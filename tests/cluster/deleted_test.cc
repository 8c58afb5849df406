// A deleted key's budget state on three real nodes (docs/cluster.md, "Deleted entities"): every
// node's leases on it and its owner's desk go at once after the deletion, not after their 60 s
// idle timeout; a request in flight on a lease holder when the key is deleted keeps its lease
// until it settles, and its cost is recorded once.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "core/key_hash.h"
#include "tests/cluster/cluster_harness.h"
#include "tests/support/metrics_text.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kPriced = R"({"model":"priced","messages":[{"role":"user","content":"hello"}]})";
const std::string kSlow = R"({"model":"slow","messages":[{"role":"user","content":"still there?"}]})";

double metric(std::uint16_t port, const std::string& name, const std::string& label = "") {
  return metric_sum(http_request(port, "GET", "/metrics").body, name, label);
}
double holders(std::uint16_t port) { return metric(port, "tollgate_cluster_lease_entities", R"(role="holder")"); }
double desks(const ClusterHarness& cluster) {
  double sum = 0;
  for (int i = 0; i < cluster.size(); ++i) {
    sum += metric(cluster.node_port(i), "tollgate_cluster_lease_entities", R"(role="owner")");
  }
  return sum;
}

// Polls `read` every 20 ms until it gives `expected`; the last value read.
template <typename Read>
double reaches(Read read, double expected, std::chrono::milliseconds limit) {
  double value = read();
  for (const auto deadline = Clock::now() + limit; value != expected && Clock::now() < deadline;) {
    std::this_thread::sleep_for(20ms);
    value = read();
  }
  return value;
}

// A 200's cost.
double call(std::uint16_t port, const std::string& key, const std::string& body) {
  const auto reply = http_request(port, "POST", "/v1/chat/completions", body, bearer(key));
  REQUIRE(reply.status == 200);
  return std::stod(reply.header("x-litellm-response-cost"));
}

// The key's spend_logs rows and their sum, once `rows` are there (10 s at most).
std::pair<int, double> logged(const ClusterHarness& cluster, const std::string& key, int rows) {
  const auto connection = cluster.db().open_connection();
  std::pair<int, double> out;
  for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    const auto r = connection->query(
        "SELECT CAST(COUNT(*) AS DOUBLE PRECISION), COALESCE(SUM(spend), 0) FROM spend_logs WHERE api_key = $1",
        {persistence::SqlValue(core::hash_key(key))});
    out = {static_cast<int>(r[0].real(0)), r[0].real(1)};
    if (out.first >= rows) break;
  }
  return out;
}

}  // namespace

TEST_CASE("a deleted key's leases and desk go at once on every node, a request in flight settles and is charged once",
          "[cluster][leases][deleted]") {
  ClusterHarness cluster;
  const auto team = "t-deleted-" + std::to_string(getpid());
  admin_call(cluster, cluster.node_port(0), "/team/new", R"({"team_id":")" + team + R"(","max_budget":10})");
  const auto body = R"({"team_id":")" + team + R"(","max_budget":1})";
  const auto idle = new_key(cluster, cluster.node_port(0), body);
  const auto busy = new_key(cluster, cluster.node_port(0), body);
  // The busy key's request runs on a node that does not own the key: a lease holder.
  const int owner = node_index(cluster, ring_owner(cluster, "key:" + core::hash_key(busy)));
  const int holder = (owner + 1) % cluster.size();

  // Every node leases both keys and the team; three desks in all.
  double charged = 0;
  for (int i = 0; i < cluster.size(); ++i) {
    for (const auto& key : {idle, busy}) charged += call(cluster.node_port(i), key, kPriced);
  }
  for (int i = 0; i < cluster.size(); ++i) REQUIRE(reaches([&] { return holders(cluster.node_port(i)); }, 3, 1s) == 3);
  REQUIRE(reaches([&] { return desks(cluster); }, 3, 1s) == 3);

  auto in_flight = std::async(std::launch::async, [&] { return call(cluster.node_port(holder), busy, kSlow); });
  REQUIRE(reaches([&] { return metric(cluster.node_port(holder), "tollgate_budget_reservations_outstanding"); }, 2,
                  1s) == 2);  // the busy key's and the team's
  admin_call(cluster, cluster.node_port(owner), "/key/delete", R"({"keys":[")" + idle + R"(",")" + busy + R"("]})");

  // Before: every lease and desk stayed for the 60 s idle timeout. Now only the team's stay, and
  // the holder's lease of the key the request in flight holds.
  for (int i = 0; i < cluster.size(); ++i) {
    CHECK(reaches([&] { return holders(cluster.node_port(i)); }, i == holder ? 2 : 1, 1s) == (i == holder ? 2 : 1));
  }
  CHECK(reaches([&] { return desks(cluster); }, 1, 1s) == 1);
  const double late_cost = in_flight.get();
  charged += late_cost;
  CHECK(reaches([&] { return holders(cluster.node_port(holder)); }, 1, 1s) == 1);

  // Past the point where a lease (5 s) would have been renewed: nothing brought a desk or a
  // lease of the deleted keys back.
  std::this_thread::sleep_for(4s);
  CHECK(desks(cluster) == 1);
  for (int i = 0; i < cluster.size(); ++i) CHECK(holders(cluster.node_port(i)) == 1);

  // Every cost charged once: the spend rows, and the team's spend.
  const auto [busy_rows, busy_logged] = logged(cluster, busy, cluster.size() + 1);
  CHECK(busy_rows == cluster.size() + 1);
  const auto [idle_rows, idle_logged] = logged(cluster, idle, cluster.size());
  CHECK(idle_rows == cluster.size());
  CHECK(busy_logged + idle_logged == Approx(charged).epsilon(1e-9));
  double team_spend = team_spend_in_db(cluster, team);
  for (const auto deadline = Clock::now() + 10s; team_spend < charged * (1 - 1e-9) && Clock::now() < deadline;) {
    std::this_thread::sleep_for(100ms);
    team_spend = team_spend_in_db(cluster, team);
  }
  CHECK(team_spend == Approx(charged).epsilon(1e-9));
  WARN("deleted keys on 3 nodes: leases and desks gone within 1 s of the delete; the request in flight ($"
       << late_cost << ") settled and charged once");
}
