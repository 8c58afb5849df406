#include "tests/cluster/cluster_harness.h"

#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/hash_ring.h"
#include "core/key_hash.h"
#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/spawn.h"
#include "tests/support/test_env.h"

namespace tollgate::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

// Runs a shell command line of paths we made (no quoting needed); throws when it fails.
void run(const std::string& command) {
  if (std::system((command + " >/dev/null").c_str()) != 0) throw std::runtime_error("failed: " + command);
}

std::string nginx_binary() {
  for (const std::string dir : {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"}) {
    if (access((dir + "/nginx").c_str(), X_OK) == 0) return dir + "/nginx";
  }
  return "nginx";  // spawn_quiet looks it up in PATH
}

// The cluster TLS block of `id`'s config, certificates in `certs` (scripts/cluster-certs).
std::string tls_yaml(const std::string& certs, const std::string& id, std::uint16_t cluster_port) {
  return "  listen: 127.0.0.1:" + std::to_string(cluster_port) + "\n  tls:\n    certificate: " + certs + "/" + id +
         ".pem\n    key: " + certs + "/" + id + ".key\n    ca: " + certs + "/ca.pem\n";
}

// Whether this `tollgate` knows cluster.listen and cluster.tls: a build without them ignores
// them with a config warning, one with them validates them.
bool binary_knows_cluster_tls(const std::string& config_with_tls, const std::string& redis) {
  auto check = spawn_tollgate(config_with_tls, {"REDIS_URL=" + redis}, {"--check-config"});
  const int status = wait_exit(check.pid, 20s);
  const auto output = check.out() + check.err();
  return status == 0 && output.find("cluster.tls: unknown") == std::string::npos &&
         output.find("cluster.listen: unknown") == std::string::npos;
}

// Members listed by a node's /health/readiness; -1 when it does not answer as a cluster node.
int live_members(std::uint16_t port) {
  const auto reply = http_request(port, "GET", "/health/readiness");
  if (reply.status != 200) return -1;
  const auto d = json(reply.body);
  if (!d.IsObject() || !d.HasMember("cluster")) return -1;
  return static_cast<int>(d["cluster"]["members"].Size());
}

}  // namespace

ClusterHarness::ClusterHarness(int nodes) : db_("postgresql"), dir_(temp_dir()) {
  static std::atomic<int> clusters{0};
  cluster_name_ = "ct-" + std::to_string(getpid()) + "-" + std::to_string(clusters++);
  master_key_ = "sk-cluster-master-" + std::to_string(getpid()) + "-" + cluster_name_;
  register_secret(master_key_);
  REQUIRE(redis_url());  // scripts/start-services
  for (int i = 0; i < nodes; ++i) {
    Node node;
    node.id = "node-" + std::to_string(i + 1);
    node.port = free_port();
    node.cluster_port = free_port();
    nodes_.push_back(std::move(node));
  }

  try {
    start_all();
  } catch (...) {
    stop_all();  // no process outlives a failed start
    throw;
  }
}

void ClusterHarness::start_all() {
  const auto mode = env_or("TOLLGATE_CLUSTER_TLS", "auto");
  if (mode != "off") {
    std::string ids;
    for (const auto& node : nodes_) ids += " " + node.id;
    run(std::string(TOLLGATE_SOURCE_DIR) + "/scripts/cluster-certs " + dir_ + "/certs" + ids);
    tls_ = true;
    if (!binary_knows_cluster_tls(node_config(nodes_[0]), *redis_url())) {
      INFO("TOLLGATE_CLUSTER_TLS=on, but " TOLLGATE_BINARY " ignores cluster.listen and cluster.tls");
      REQUIRE(mode != "on");
      tls_ = false;
    }
  }
  for (auto& node : nodes_) {
    node.config = node_config(node);
    start(node);
  }
  for (const auto& node : nodes_) wait_ready(node);
  REQUIRE(wait_for_members(nodes_.size(), 5s));
  start_nginx();
}

ClusterHarness::~ClusterHarness() { stop_all(); }

void ClusterHarness::stop_all() noexcept {
  for (const auto& node : nodes_) {
    if (node.process.pid > 0) kill(node.process.pid, SIGTERM);
  }
  for (const auto& node : nodes_) {
    if (node.process.pid > 0) wait_exit(node.process.pid, 10s);
  }
  for (auto& node : nodes_) node.process.pid = -1;
  if (nginx_pid_ > 0) {
    kill(nginx_pid_, SIGTERM);  // fast shutdown, workers included
    waitpid(nginx_pid_, nullptr, 0);
    nginx_pid_ = -1;
  }
}

std::uint16_t ClusterHarness::node_port(int i) const { return nodes_.at(static_cast<std::size_t>(i)).port; }
const std::string& ClusterHarness::node_id(int i) const { return nodes_.at(static_cast<std::size_t>(i)).id; }

std::string ClusterHarness::node_config(const Node& node) const {
  const auto api_base = mock_.base_url();
  std::string yaml = priced_models_yaml(mock_) +
                     "  - model_name: tokenized\n"
                     "    litellm_params: {model: \"openai/tokenized+tokenizer+echo+latency-30\", api_base: \"" +
                     api_base +
                     "\"}\n"
                     "    model_info: {input_cost_per_token: 0, output_cost_per_token: 0.000001, max_output_tokens: "
                     "400}\n"
                     "  - model_name: loaded\n"
                     "    litellm_params: {model: \"openai/loaded+latency-30\", api_base: \"" +
                     api_base +
                     "\"}\n"
                     "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, "
                     "max_output_tokens: 50}\n"
                     "  - model_name: slow\n"
                     "    litellm_params: {model: \"openai/slow+latency-1500\", api_base: \"" +
                     api_base +
                     "\"}\n"
                     "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, "
                     "max_output_tokens: 50}\n"
                     "general_settings:\n"
                     "  max_auth_failures_per_minute: 1000000\n"
                     "  shutdown_grace_period: 2\n"
                     "  spend_journal_path: " +
                     dir_ + "/" + node.id +
                     "-journal\n"
                     // A short heartbeat and TTL: a killed node leaves every ring within ~1.2 s.
                     "cluster:\n"
                     "  enabled: true\n"
                     "  name: " +
                     cluster_name_ + "\n  node_id: " + node.id +
                     "\n  advertise_address: 127.0.0.1:" + std::to_string(node.cluster_port) +
                     "\n"
                     "  heartbeat_interval: 0.2\n"
                     "  node_ttl: 1\n"
                     "  change_channel: tollgate:test:" +
                     cluster_name_ + "\n";
  if (tls_) yaml += tls_yaml(dir_ + "/certs", node.id, node.cluster_port);
  return yaml;
}

void ClusterHarness::start(Node& node) {
  node.process = spawn_tollgate(
      node.config, {"DATABASE_URL=" + db_.url(), "REDIS_URL=" + *redis_url(), "TOLLGATE_MASTER_KEY=" + master_key_},
      {"--port", std::to_string(node.port)});  // the later --port wins
}

// Ready: listening, its first membership round done (readiness answers as a cluster node) and
// subscribed to the change fan-out (a node empties its key cache when its subscription starts:
// from then on it hears every change).
void ClusterHarness::wait_ready(const Node& node) const {
  REQUIRE(wait_for_port(node.process) == node.port);
  const auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline) {
    const auto metrics = http_request(node.port, "GET", "/metrics").body;
    if (live_members(node.port) > 0 &&
        metric_sum(metrics, "tollgate_cluster_key_cache_emptied_total", R"(reason="subscribed")") >= 1) {
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  FAIL(node.id << " not ready within 10 s: " << node.process.err());
}

bool ClusterHarness::wait_for_members(std::size_t members, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    bool all = true;
    for (const auto& node : nodes_) {
      if (node.process.pid > 0 && live_members(node.port) != static_cast<int>(members)) all = false;
    }
    if (all) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

void ClusterHarness::start_nginx() {
  front_port_ = free_port();
  std::string backends;
  for (const auto& node : nodes_)
    backends += (backends.empty() ? "" : ",") + ("127.0.0.1:" + std::to_string(node.port));
  const auto dir = dir_ + "/nginx";
  run(std::string(TOLLGATE_SOURCE_DIR) + "/scripts/nginx-proxy-conf " + dir + " 1 " + std::to_string(front_port_) +
      "=" + backends);
  nginx_pid_ = spawn_quiet({nginx_binary(), "-p", dir, "-c", dir + "/nginx.conf", "-e", dir + "/error.log"});
  for (int i = 0; i < 500; ++i) {
    try {
      if (http_request(front_port_, "GET", "/health/liveliness").status == 200) return;
    } catch (const std::exception&) {  // not listening yet
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL("nginx did not start on " << front_port_ << ": " << read_text(dir + "/error.log"));
}

void ClusterHarness::kill_node(int i) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  REQUIRE(node.process.pid > 0);
  kill(node.process.pid, SIGKILL);
  waitpid(node.process.pid, nullptr, 0);
  node.process.pid = -1;
}

void ClusterHarness::stop_node(int i) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  REQUIRE(node.process.pid > 0);
  kill(node.process.pid, SIGTERM);
  CHECK(wait_exit(node.process.pid, 20s) >= 0);  // exited by itself, not killed after the timeout
  node.process.pid = -1;
}

void ClusterHarness::restart_node(int i) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  REQUIRE(node.process.pid <= 0);
  start(node);
  wait_ready(node);
}

std::string new_key(const ClusterHarness& cluster, std::uint16_t port, const std::string& body) {
  const auto reply = http_request(port, "POST", "/key/generate", body, bearer(cluster.master_key()));
  INFO("/key/generate " << body << " -> " << reply.body);
  REQUIRE(reply.status == 200);
  std::string key = json(reply.body)["key"].GetString();
  register_secret(key);
  return key;
}

void admin_call(const ClusterHarness& cluster, std::uint16_t port, const std::string& path, const std::string& body) {
  const auto reply = http_request(port, "POST", path, body, bearer(cluster.master_key()));
  INFO(path << " " << body << " -> " << reply.body);
  REQUIRE(reply.status == 200);
}

int auth_status(std::uint16_t port, const std::string& key) {
  return http_request(port, "GET", "/v1/models", "", bearer(key)).status;
}

const std::string& exact_cost_body() {
  static const std::string body =
      R"({"model":"tokenized","max_tokens":40,"messages":[{"role":"user","content":")" + chinese_text(60) + R"("}]})";
  return body;
}

int node_index(const ClusterHarness& cluster, const std::string& node_id) {
  for (int i = 0; i < cluster.size(); ++i) {
    if (cluster.node_id(i) == node_id) return i;
  }
  FAIL("no node " << node_id);
  return -1;
}

Outcome chat(std::unique_ptr<HttpConnection>& connection, std::uint16_t port, const std::string& key,
             const std::string& body) {
  Outcome o;
  try {
    if (!connection) connection = std::make_unique<HttpConnection>(port);
    const auto reply = connection->request("POST", "/v1/chat/completions", body, bearer(key));
    o.status = reply.status;
    if (reply.status == 200) {
      o.cost = std::stod(reply.header("x-litellm-response-cost"));
    } else if (const auto d = json(reply.body); d.IsObject() && d.HasMember("error") && d["error"].IsObject()) {
      o.error_type = d["error"]["type"].GetString();
    }
  } catch (const std::exception&) {
    connection.reset();  // a failed exchange leaves the connection unusable
  }
  return o;
}

std::vector<Outcome> fire(std::uint16_t port, const std::vector<std::string>& keys, const std::string& body, int total,
                          int threads) {
  std::vector<Outcome> out(static_cast<std::size_t>(total));
  std::atomic<int> next{0};
  std::mutex mutex;
  std::condition_variable released;
  int waiting = threads;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      std::unique_ptr<HttpConnection> connection;
      try {
        connection = std::make_unique<HttpConnection>(port);  // connected before the start
      } catch (const std::exception&) {
      }
      {
        std::unique_lock lock(mutex);
        if (--waiting == 0) released.notify_all();
        released.wait(lock, [&] { return waiting == 0; });
      }
      for (int i = next++; i < total; i = next++) {
        out[static_cast<std::size_t>(i)] =
            chat(connection, port, keys[static_cast<std::size_t>(i) % keys.size()], body);
      }
    });
  }
  for (auto& t : pool) t.join();
  return out;
}

namespace {
double spend_in_db(const ClusterHarness& cluster, const std::string& sql, const std::string& id) {
  const auto connection = cluster.db().open_connection();
  const auto rows = connection->query(sql, {persistence::SqlValue(id)});
  REQUIRE(rows.size() == 1);
  return rows[0].real(0);
}
}  // namespace

double key_spend_in_db(const ClusterHarness& cluster, const std::string& key) {
  return spend_in_db(cluster, "SELECT spend FROM keys WHERE token_hash = $1", core::hash_key(key));
}

double team_spend_in_db(const ClusterHarness& cluster, const std::string& team_id) {
  return spend_in_db(cluster, "SELECT spend FROM teams WHERE team_id = $1", team_id);
}

std::string ring_owner(const ClusterHarness& cluster, const std::string& entity) {
  std::vector<std::string> ids;
  for (int i = 0; i < cluster.size(); ++i) ids.push_back(cluster.node_id(i));
  return std::string(core::HashRing(ids).owner_of(entity));
}

}  // namespace tollgate::testing
