// Cluster membership over the real Redis that scripts/test starts: in-process gateways and a
// `tollgate` child process register, see each other, leave gracefully or are killed.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/spawn.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"
#include "tests/support/tollgate_process.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const char* kModels = "model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n";

// A cluster name of its own per test: runs and tests sharing one Redis never see each other.
std::string unique_cluster_name() {
  static std::atomic<int> next{0};
  return "it-" + std::to_string(getpid()) + "-" + std::to_string(next++);
}

std::string cluster_yaml(const std::string& cluster, const std::string& node_id, const char* heartbeat,
                         const char* ttl) {
  return std::string(kModels) + "cluster:\n  enabled: true\n  name: " + cluster + "\n  node_id: " + node_id +
         "\n  heartbeat_interval: " + heartbeat + "\n  node_ttl: " + ttl + "\n" +
         cluster_transport_yaml(process_test_ca().issue(node_id), "127.0.0.1:" + std::to_string(free_port()));
}

struct ClusterState {
  int status = 0;
  bool present = false;  // readiness has a "cluster" object
  std::string node_id;
  std::string source;
  std::string registry;
  std::string error;
  std::vector<std::string> members;
  std::uint64_t ring_members = 0;
  std::uint64_t ring_version = 0;
  std::string fingerprint;
};

ClusterState cluster_state(std::uint16_t port) {
  const auto reply = http_request(port, "GET", "/health/readiness");
  ClusterState state;
  state.status = reply.status;
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("cluster")) return state;
  const auto& c = d["cluster"];
  state.present = true;
  state.node_id = c["node_id"].GetString();
  state.source = c["source"].GetString();
  state.registry = c["registry"].GetString();
  if (c.HasMember("error")) state.error = c["error"].GetString();
  for (const auto& m : c["members"].GetArray()) state.members.emplace_back(m["node_id"].GetString());
  state.ring_members = c["ring"]["members"].GetUint64();
  state.ring_version = c["ring"]["version"].GetUint64();
  state.fingerprint = c["ring"]["fingerprint"].GetString();
  return state;
}

// Polls readiness until the node sees `count` members or `timeout` passes.
ClusterState wait_for_members(std::uint16_t port, std::size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto state = cluster_state(port);
  while (state.members.size() != count && Clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    state = cluster_state(port);
  }
  return state;
}

// Kills the child if the test ends before it did (a failed REQUIRE), so none outlives the run.
struct ChildGuard {
  pid_t pid;
  ~ChildGuard() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

double metric(std::uint16_t port, const std::string& name) {
  return metric_sum(http_request(port, "GET", "/metrics").body, name);
}

}  // namespace

TEST_CASE("three gateways see three members and one ring, a graceful stop is seen on the next round",
          "[integration][cluster][services]") {
  const auto redis = redis_url();
  REQUIRE(redis);
  const auto cluster = unique_cluster_name();
  // The TTL (5 s) is far longer than the test waits: only deregistration can drop a node in time.
  TestGateway a(cluster_yaml(cluster, "node-a", "0.2", "5"), {{"REDIS_URL", *redis}});
  TestGateway b(cluster_yaml(cluster, "node-b", "0.2", "5"), {{"REDIS_URL", *redis}});
  TestGateway c(cluster_yaml(cluster, "node-c", "0.2", "5"), {{"REDIS_URL", *redis}});

  const std::vector<std::string> all{"node-a", "node-b", "node-c"};
  std::vector<ClusterState> states;
  for (const auto* gw : {&a, &b, &c}) states.push_back(wait_for_members(gw->port(), 3, 2s));
  for (const auto& s : states) {
    INFO(s.node_id);
    CHECK(s.source == "redis");
    CHECK(s.registry == "ok");
    CHECK(s.members == all);
    CHECK(s.ring_members == 3);
    CHECK(s.fingerprint == states[0].fingerprint);
  }
  CHECK(states[0].node_id == "node-a");
  CHECK(states[2].node_id == "node-c");
  // a saw itself alone, then more: at least two rings; c started last and may have seen all at once.
  CHECK(states[0].ring_version >= 2);
  CHECK(metric(a.port(), "tollgate_cluster_members") == 3);
  CHECK(metric(a.port(), "tollgate_cluster_ring_changes_total") == static_cast<double>(states[0].ring_version));
  CHECK(metric(c.port(), "tollgate_cluster_ring_changes_total") >= 1);

  const auto stopped = Clock::now();
  REQUIRE(c.shutdown());
  const auto a_after = wait_for_members(a.port(), 2, 2s);
  const auto b_after = wait_for_members(b.port(), 2, 2s);
  const auto seen_after = Clock::now() - stopped;
  CHECK(a_after.members == std::vector<std::string>{"node-a", "node-b"});
  CHECK(b_after.members == std::vector<std::string>{"node-a", "node-b"});
  CHECK(a_after.fingerprint == b_after.fingerprint);
  CHECK(a_after.fingerprint != states[0].fingerprint);
  CHECK(a_after.ring_version == states[0].ring_version + 1);
  CHECK(metric(a.port(), "tollgate_cluster_members") == 2);
  // Both saw it within about one heartbeat round (0.2 s), far below the 5 s TTL.
  CHECK(seen_after < 1s);
}

TEST_CASE("a node killed with SIGKILL stays listed until its TTL runs out, then drops out",
          "[integration][cluster][services][process]") {
  const auto redis = redis_url();
  REQUIRE(redis);
  const auto cluster = unique_cluster_name();
  TestGateway survivor(cluster_yaml(cluster, "survivor", "0.2", "1"), {{"REDIS_URL", *redis}});
  auto victim = spawn_tollgate(cluster_yaml(cluster, "victim", "0.2", "1"), {"REDIS_URL=" + *redis});
  ChildGuard guard{victim.pid};
  wait_for_port(victim);
  const auto both = wait_for_members(survivor.port(), 2, 3s);
  REQUIRE(both.members == std::vector<std::string>{"survivor", "victim"});

  REQUIRE(kill(victim.pid, SIGKILL) == 0);
  REQUIRE(waitpid(victim.pid, nullptr, 0) == victim.pid);
  guard.pid = -1;
  const auto killed = Clock::now();
  const auto alone = wait_for_members(survivor.port(), 1, 4s);
  const auto gone_after = Clock::now() - killed;
  CHECK(alone.members == std::vector<std::string>{"survivor"});
  CHECK(alone.ring_members == 1);
  CHECK(alone.ring_version == both.ring_version + 1);
  // Its last heartbeat was at most 0.2 s before the kill and lives 1 s: it cannot go sooner
  // than 0.8 s (no deregistration happened), and goes within the TTL plus a round or two.
  CHECK(gone_after >= 700ms);
  CHECK(gone_after <= 2s);
}

TEST_CASE("Redis down: readiness reports the membership failing and the node serves alone",
          "[integration][cluster][services]") {
  const auto cluster = unique_cluster_name();
  TestGateway gw(cluster_yaml(cluster, "lonely", "0.2", "1"), {{"REDIS_URL", "redis://127.0.0.1:1/0"}});
  const auto state = cluster_state(gw.port());
  CHECK(state.status == 503);  // the Redis dependency check fails as before
  CHECK(state.registry == "failing");
  CHECK_THAT(state.error, Catch::Contains("cannot connect"));
  CHECK(state.members == std::vector<std::string>{"lonely"});
  CHECK(state.ring_members == 1);
  const auto reply =
      http_request(gw.port(), "POST", "/v1/chat/completions",
                   R"({"model":"m","messages":[{"role":"user","content":"hi"}]})", bearer(gw.master_key()));
  CHECK(reply.status == 200);
}

TEST_CASE("static peers: every listed node is a member, with no Redis, one ring on every node",
          "[integration][cluster]") {
  // p2 is listed and never started: a static cluster keeps it in the ring all the same.
  const auto address = [](std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); };
  const auto a1 = address(free_port()), a2 = address(free_port()), a3 = address(free_port());
  const std::string peers = "  peers:\n    - {node_id: p1, address: \"" + a1 + "\"}\n    - {node_id: p2, address: \"" +
                            a2 + "\"}\n    - {node_id: p3, address: \"" + a3 + "\"}\n";
  TestGateway p1(std::string(kModels) + "cluster:\n  enabled: true\n  node_id: p1\n" + peers +
                 cluster_transport_yaml(process_test_ca().issue("p1"), a1));
  TestGateway p3(std::string(kModels) + "cluster:\n  enabled: true\n  node_id: p3\n" + peers +
                 cluster_transport_yaml(process_test_ca().issue("p3"), a3));
  const auto s1 = cluster_state(p1.port());
  const auto s3 = cluster_state(p3.port());
  CHECK(s1.status == 200);
  CHECK(s1.source == "static");
  CHECK(s1.registry == "ok");
  CHECK(s1.members == std::vector<std::string>{"p1", "p2", "p3"});
  CHECK(s1.ring_members == 3);
  CHECK(s1.ring_version == 1);
  CHECK(s3.node_id == "p3");
  CHECK(s3.fingerprint == s1.fingerprint);
  CHECK(metric(p1.port(), "tollgate_cluster_members") == 3);

  TestGateway plain(kModels);
  CHECK_FALSE(cluster_state(plain.port()).present);
}
