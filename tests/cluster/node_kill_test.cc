// A node killed with SIGKILL under load (issue #11, "Failure"): the survivors keep serving
// through nginx, only what was in flight on the killed node fails, and once it restarts on the
// same spend journal no settled cost is missing from the store.
#include <catch2/catch.hpp>

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

// The spend_logs rows of `key` and keys.spend, straight from PostgreSQL.
std::pair<std::int64_t, double> store_spend(const ClusterHarness& cluster, const std::string& key) {
  const auto connection = cluster.db().open_connection();
  const auto rows = connection->query("SELECT COUNT(*) FROM spend_logs WHERE api_key = $1",
                                      {persistence::SqlValue(core::hash_key(key))});
  return {rows.at(0).int64(0), key_spend_in_db(cluster, key)};
}

}  // namespace

TEST_CASE("kill -9 of a node under load: survivors serve, and after its restart the store holds every settled cost",
          "[cluster][failure]") {
  ClusterHarness cluster;
  const auto key = new_key(cluster, cluster.front_port());
  // 30 ms at the provider: each connection has a request in flight most of the time.
  const std::string body = R"({"model":"loaded","messages":[{"role":"user","content":"a short question"}]})";
  constexpr int kThreads = 6;
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<Timed> sent;
  std::vector<std::thread> load;
  for (int t = 0; t < kThreads; ++t) {
    load.emplace_back([&] {
      std::unique_ptr<HttpConnection> connection;
      while (!stop) {
        const auto at = Clock::now();
        auto outcome = chat(connection, cluster.front_port(), key, body);
        std::lock_guard lock(mutex);
        sent.push_back({at, std::move(outcome)});
      }
    });
  }
  std::this_thread::sleep_for(1500ms);
  const auto killed_at = Clock::now();
  cluster.kill_node(1);
  std::this_thread::sleep_for(2000ms);  // past the 1 s TTL: the others have dropped it
  stop = true;
  for (auto& t : load) t.join();

  int ok_before = 0, ok_after = 0, failed = 0, failed_late = 0;
  double reported = 0;
  for (const auto& s : sent) {
    if (s.outcome.status == 200) {
      (s.sent < killed_at ? ok_before : ok_after) += 1;
      reported += s.outcome.cost;
    } else {
      ++failed;
      INFO("status " << s.outcome.status << " " << s.outcome.error_type);
      CHECK((s.outcome.status == 502 || s.outcome.status == 0));  // nginx: the node went away mid-request
      // Sent before the kill, or the instant after (nginx's kept-alive connection to it).
      if (s.sent > killed_at + 100ms) ++failed_late;
    }
  }
  CHECK(ok_before > 0);
  CHECK(ok_after > 0);                 // the survivors kept serving through nginx
  CHECK(failed <= kThreads);           // at most one request per client connection was on it
  CHECK(failed_late == 0);             // nothing sent after the kill fails
  CHECK(cluster.wait_for_members(2, 3s));  // and the membership let it go

  const auto [rows_before_restart, spend_before_restart] = store_spend(cluster, key);
  cluster.restart_node(1);  // same node id, port and spend journal: replays what it had not flushed
  CHECK(cluster.wait_for_members(3, 3s));
  const auto ok = ok_before + ok_after;
  std::pair<std::int64_t, double> after{};
  for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    after = store_spend(cluster, key);
    if (after.first >= ok && after.second >= reported * (1 - 1e-9)) break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(after.first == ok);
  CHECK(after.second == Approx(reported).epsilon(1e-9));
  WARN("kill -9 under load: " << sent.size() << " requests, " << ok << " answered (" << ok_after
                              << " after the kill), " << failed << " failed on the killed node; store before its "
                              << "restart " << rows_before_restart << " rows $" << spend_before_restart
                              << ", after " << after.first << " rows $" << after.second << " = reported $"
                              << reported);
}
