#pragma once
// A real cluster on loopback for tests: N `tollgate` processes (cluster.enabled, one node_id and
// spend journal each, one master key) on a fresh PostgreSQL database and the Redis of
// scripts/start-services, nginx in front of them (scripts/nginx-proxy-conf, the configuration
// of scripts/cluster and bench/run), and tollgate-mock as their one provider.
//
// The cluster port's mutual TLS (cluster.listen, cluster.tls) is written into the configs when
// the `tollgate` binary knows those keys (a build without them ignores them with a warning), or
// as TOLLGATE_CLUSTER_TLS says: `on` (required), `off`, `auto` (the default).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/tollgate_process.h"

namespace tollgate::testing {

// The models every node serves, all from the harness's tollgate-mock:
//   priced      a short request costs a few micro-dollars (tests/support priced_models_yaml)
//   tokenized   counts tokens like a real tokenizer and echoes the prompt, input free, output
//               $1 per million tokens, answering after 30 ms: exact_cost_body() below
//   loaded      like priced, answering after 30 ms (requests in flight when a node dies)
//   slow        like priced, answering after 1.5 s (a request in flight across a deletion)
class ClusterHarness {
 public:
  explicit ClusterHarness(int nodes = 3);
  ~ClusterHarness();
  ClusterHarness(const ClusterHarness&) = delete;
  ClusterHarness& operator=(const ClusterHarness&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  std::uint16_t front_port() const { return front_port_; }  // nginx, round robin over the nodes
  std::uint16_t node_port(int i) const;                     // i = 0 … size() − 1
  const std::string& node_id(int i) const;
  const std::string& master_key() const { return master_key_; }
  bool cluster_tls() const { return tls_; }
  const TestDatabase& db() const { return db_; }
  const MockUpstream& mock() const { return mock_; }

  // As a crash: SIGKILL, no deregistration, no drain.
  void kill_node(int i);
  // Gracefully: SIGTERM (it leaves the ring, drains, flushes); returns once it has exited.
  void stop_node(int i);
  // The same config (node id, port, spend journal) again; returns once it is ready.
  void restart_node(int i);

  // Waits until every running node lists `members` live members (a killed node expires after
  // the 1 s node TTL); false after `timeout`.
  bool wait_for_members(std::size_t members, std::chrono::milliseconds timeout) const;

 private:
  struct Node {
    std::string id;
    std::uint16_t port = 0;
    std::uint16_t cluster_port = 0;
    std::string config;
    TollgateProcess process;
  };

  void start_all();
  void stop_all() noexcept;
  std::string node_config(const Node& node) const;
  void start(Node& node);
  void wait_ready(const Node& node) const;
  void start_nginx();

  TestDatabase db_;
  MockUpstream mock_;
  std::string dir_;
  std::string master_key_;
  std::string cluster_name_;
  bool tls_ = false;
  std::vector<Node> nodes_;
  std::uint16_t front_port_ = 0;
  pid_t nginx_pid_ = -1;
};

// Management calls with the master key (REQUIRE a 200), and the calls the tests count.
std::string new_key(const ClusterHarness& cluster, std::uint16_t port, const std::string& body = "{}");
void admin_call(const ClusterHarness& cluster, std::uint16_t port, const std::string& path, const std::string& body);
// GET /v1/models: 200 for a valid key, 401 otherwise, and no provider call.
int auth_status(std::uint16_t port, const std::string& key);

// A request to `tokenized` whose cost is known exactly: 60 Chinese characters (67 prompt tokens,
// free) echoed back cut at max_tokens 40, so it costs 40 × $0.000001 — and reserves exactly
// that, since only output is priced and max_tokens bounds it (docs/budgets.md). A budget of
// N × kExactRequestCost pays for exactly N requests, concurrent or not.
inline constexpr double kExactRequestCost = 40 * 0.000001;
const std::string& exact_cost_body();

// The index (0 … size() − 1) of the node named `node_id`.
int node_index(const ClusterHarness& cluster, const std::string& node_id);

// One chat completion's outcome as a client sees it: status 0 when the connection failed.
struct Outcome {
  int status = 0;
  double cost = 0;         // x-litellm-response-cost of a 200
  std::string error_type;  // error.type of a refusal
};

// Sends one POST /v1/chat/completions on `connection`; an I/O error reopens it (status 0).
Outcome chat(std::unique_ptr<HttpConnection>& connection, std::uint16_t port, const std::string& key,
             const std::string& body);

// `total` requests of `body` to `port` from `threads` threads, each with its own keep-alive
// connection, released together; request i uses keys[i % keys.size()].
std::vector<Outcome> fire(std::uint16_t port, const std::vector<std::string>& keys, const std::string& body, int total,
                          int threads);

// A spend figure straight from PostgreSQL (keys.spend, teams.spend).
double key_spend_in_db(const ClusterHarness& cluster, const std::string& key);
double team_spend_in_db(const ClusterHarness& cluster, const std::string& team_id);

// The node id (of node-1 … node-N) owning `entity` ("key:<sha256>", "team:<id>") on the ring
// of all N nodes: core::HashRing, as every node computes it.
std::string ring_owner(const ClusterHarness& cluster, const std::string& entity);

}  // namespace tollgate::testing
