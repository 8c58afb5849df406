// The change fan-out between two gateways in this process on one PostgreSQL database and one
// Redis (docs/cluster.md, "Change fan-out"): what one node commits reaches the other node's key
// cache within 1 s — key creation, deletion, blocking, a team's budget — and a node that lost
// its subscription serves no key it may have missed a change of once it is back.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/key_hash.h"
#include "persistence/redis_connection.h"
#include "tests/store/store_fixture.h"
#include "tests/support/fake_mcp_server.h"
#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/redis_server.h"
#include "tests/support/spawn.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using Clock = std::chrono::steady_clock;

namespace {

// The contract of issue #11: a change on one node is seen by every other node within 1 s.
constexpr std::chrono::milliseconds kContract{1'000};
constexpr const char* kTinyBudget = "0.0000001";  // below any request's worst case

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string node_config(const MockUpstream& mock, const std::string& node_id, const std::string& channel,
                        const std::string& extra_yaml = "") {
  return priced_models_yaml(mock) + extra_yaml +
         "general_settings:\n"
         "  max_auth_failures_per_minute: 1000000\n"
         "cluster:\n"
         "  enabled: true\n"
         "  node_id: " +
         node_id + "\n  change_channel: " + channel + "\n" +
         cluster_transport_yaml(process_test_ca().issue(node_id), "127.0.0.1:" + std::to_string(free_port()));
}

// Two nodes on one fresh PostgreSQL database, on their own channel of `redis_url`.
class TwoNodes {
 public:
  // `extra_env`: more environment for both nodes' config files; `extra_yaml`: more top-level
  // sections of both.
  explicit TwoNodes(const std::string& redis_url, std::map<std::string, std::string> extra_env = {},
                    const std::string& extra_yaml = "")
      : extra_env_(std::move(extra_env)),
        db_("postgresql"),
        channel_("tollgate:test:" + std::to_string(getpid()) + ":" + std::to_string(++count_)),
        a_(node_config(mock_, "node-a", channel_, extra_yaml), env(redis_url)),
        b_(node_config(mock_, "node-b", channel_, extra_yaml), env(redis_url)) {
    // Both subscribed (a node's first subscription empties its cache: nothing cached yet).
    for (const auto* node : {&a_, &b_}) {
      REQUIRE(eventually([&] { return emptied(*node) >= 1; }, std::chrono::seconds(5)));
    }
  }

  const TestGateway& a() const { return a_; }
  const TestGateway& b() const { return b_; }
  const TestDatabase& db() const { return db_; }

  // An authenticated call that reaches no provider: 200 for a valid key, 401 otherwise.
  static int call(const TestGateway& node, const std::string& key) {
    return http_request(node.port(), "GET", "/v1/models", "", bearer(key)).status;
  }
  static HttpReply chat(const TestGateway& node, const std::string& key) {
    return http_request(node.port(), "POST", "/v1/chat/completions",
                        R"({"model":"priced","messages":[{"role":"user","content":"a short question"}]})", bearer(key));
  }
  static rapidjson::Document admin(const TestGateway& node, const std::string& path, const std::string& body) {
    const auto reply = http_request(node.port(), "POST", path, body, bearer(node.master_key()));
    INFO(path << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
    return json(reply.body);
  }
  static std::string new_key(const TestGateway& node, const std::string& body = "{}") {
    const auto d = admin(node, "/key/generate", body);
    std::string key = d["key"].GetString();
    register_secret(key);
    return key;
  }
  static double metric(const TestGateway& node, const std::string& name, const std::string& label = "") {
    return metric_sum(http_request(node.port(), "GET", "/metrics").body, name, label);
  }
  static double emptied(const TestGateway& node, const std::string& reason = "subscribed") {
    return metric(node, "tollgate_cluster_key_cache_emptied_total", "reason=\"" + reason + "\"");
  }

  // Polls `done` until it holds or `deadline` passes; how long it took, or nullopt.
  static std::optional<std::chrono::microseconds> eventually(const std::function<bool()>& done,
                                                             std::chrono::milliseconds deadline = kContract) {
    const auto start = Clock::now();
    while (true) {
      if (done()) return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
      if (Clock::now() - start > deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

 private:
  std::map<std::string, std::string> env(const std::string& redis_url) const {
    auto out = db_.gateway_env();
    out["REDIS_URL"] = redis_url;
    for (const auto& [name, value] : extra_env_) out[name] = value;
    return out;
  }

  static inline int count_ = 0;
  std::map<std::string, std::string> extra_env_;
  TestDatabase db_;
  MockUpstream mock_;
  std::string channel_;
  TestGateway a_;
  TestGateway b_;
};

std::string shared_redis() {
  const auto url = redis_url();
  REQUIRE(url);  // scripts/start-services
  return *url;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

TEST_CASE("the seed scenario: a key created on node 1 works on node 2 at once, one deleted on node 2 fails on node 1",
          "[integration][cluster]") {
  TwoNodes nodes(shared_redis());
  const std::string cleartext = "sk-cluster-" + std::to_string(getpid()) + "-seed";
  register_secret(cleartext);
  REQUIRE(TwoNodes::call(nodes.b(), cleartext) == 401);  // node 2 remembers it as unknown

  TwoNodes::admin(nodes.a(), "/key/generate", R"({"key":")" + cleartext + R"("})");
  const auto created = TwoNodes::eventually([&] { return TwoNodes::call(nodes.b(), cleartext) == 200; });
  CHECK(created);

  REQUIRE(TwoNodes::call(nodes.a(), cleartext) == 200);  // cached on node 1
  TwoNodes::admin(nodes.b(), "/key/delete", R"({"keys":[")" + cleartext + R"("]})");
  const auto deleted = TwoNodes::eventually([&] { return TwoNodes::call(nodes.a(), cleartext) == 401; });
  CHECK(deleted);
  std::printf("cluster seed: created→valid on node 2 %lld µs, deleted→refused on node 1 %lld µs\n",
              created ? static_cast<long long>(created->count()) : -1LL,
              deleted ? static_cast<long long>(deleted->count()) : -1LL);
}

TEST_CASE("revocation: 50 rounds of delete or block on node A, every call on node B refused within 1 s",
          "[integration][cluster]") {
  TwoNodes nodes(shared_redis());
  std::vector<double> lags_ms;
  int late = 0;
  for (int round = 0; round < 50; ++round) {
    const auto key = TwoNodes::new_key(nodes.a());
    REQUIRE(TwoNodes::call(nodes.b(), key) == 200);  // cached on node B
    if (round % 2 == 0) {
      TwoNodes::admin(nodes.a(), "/key/delete", R"({"keys":[")" + key + R"("]})");
    } else {
      TwoNodes::admin(nodes.a(), "/key/block", R"({"key":")" + key + R"("})");
    }
    const auto refused = TwoNodes::eventually([&] { return TwoNodes::call(nodes.b(), key) == 401; });
    if (!refused) {
      ++late;
      continue;
    }
    lags_ms.push_back(static_cast<double>(refused->count()) / 1000.0);
  }
  CHECK(late == 0);
  REQUIRE_FALSE(lags_ms.empty());
  // The last change's lag is observed just after it took effect: wait for it, not for the 401.
  TwoNodes::eventually([&] { return TwoNodes::metric(nodes.b(), "tollgate_cluster_change_lag_seconds_count") >= 100; });
  const double lag_sum = TwoNodes::metric(nodes.b(), "tollgate_cluster_change_lag_seconds_sum");
  const double lag_count = TwoNodes::metric(nodes.b(), "tollgate_cluster_change_lag_seconds_count");
  const double within_5ms = TwoNodes::metric(nodes.b(), "tollgate_cluster_change_lag_seconds_bucket", R"(le="0.005")");
  std::printf(
      "cluster revocation (response on A → 401 on B, polled every 1 ms), %zu rounds: p50 %.2f ms, p99 %.2f ms, max "
      "%.2f ms; node B's lag metric (commit → applied): %.0f changes, mean %.3f ms, %.0f within 5 ms\n",
      lags_ms.size(), percentile(lags_ms, 0.5), percentile(lags_ms, 0.99), percentile(lags_ms, 1.0), lag_count,
      lag_count > 0 ? lag_sum / lag_count * 1000 : 0.0, within_5ms);

  CHECK(TwoNodes::metric(nodes.a(), "tollgate_cluster_changes_published_total") >=
        100);  // 50 creations, 50 revocations
  CHECK(lag_count >= 100);
  CHECK(TwoNodes::metric(nodes.a(), "tollgate_cluster_changes_dropped_total") == 0);
  // Exactly what changed was dropped: node B emptied its cache once, when it subscribed.
  CHECK(TwoNodes::emptied(nodes.b()) == 1);
  CHECK(TwoNodes::emptied(nodes.b(), "sequence_gap") == 0);
}

TEST_CASE("a team's budget changed on node A reaches its key cached on node B", "[integration][cluster]") {
  TwoNodes nodes(shared_redis());
  TwoNodes::admin(nodes.a(), "/team/new", R"({"team_id":"t-1"})");
  const auto key = TwoNodes::new_key(nodes.a(), R"({"team_id":"t-1"})");
  REQUIRE(TwoNodes::chat(nodes.b(), key).status == 200);  // cached on node B with its team

  TwoNodes::admin(nodes.a(), "/team/update", std::string(R"({"team_id":"t-1","max_budget":)") + kTinyBudget + "}");
  CHECK(TwoNodes::eventually([&] {
    const auto reply = TwoNodes::chat(nodes.b(), key);
    return reply.status == 429 && reply.body.find("budget_exceeded") != std::string::npos;
  }));
  TwoNodes::admin(nodes.a(), "/team/update", R"({"team_id":"t-1","max_budget":null})");
  CHECK(TwoNodes::eventually([&] { return TwoNodes::chat(nodes.b(), key).status == 200; }));
}

TEST_CASE("after a Redis outage a node serves no key changed while it was not listening", "[integration][cluster]") {
  RedisServer redis;
  TwoNodes nodes(redis.url());
  const auto key = TwoNodes::new_key(nodes.a());
  const auto control = TwoNodes::new_key(nodes.a());
  // Both creations reached node B: no late message of them drops what it caches next.
  REQUIRE(TwoNodes::eventually(
      [&] { return TwoNodes::metric(nodes.b(), "tollgate_cluster_changes_received_total") >= 2; }));
  REQUIRE(TwoNodes::call(nodes.b(), key) == 200);
  REQUIRE(TwoNodes::call(nodes.b(), control) == 200);
  const auto store = nodes.db().open_store();  // writes here tell no node
  persistence::AuditEntry audit;
  audit.changed_by = "test";

  // Without the fan-out a node keeps serving a key deleted behind its back: the control.
  REQUIRE(store->delete_keys({core::hash_key(control)}, audit));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(TwoNodes::call(nodes.b(), control) == 200);

  redis.kill_now();  // node B sees its connection close and retries with backoff
  REQUIRE(store->delete_keys({core::hash_key(key)}, audit));  // a change nobody publishes
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int during_outage = TwoNodes::call(nodes.b(), key);  // the documented window: still cached
  redis.start();

  const auto recovered = TwoNodes::eventually([&] { return TwoNodes::emptied(nodes.b()) >= 2; },
                                              std::chrono::seconds(5));  // backoff is at most 2 s
  REQUIRE(recovered);
  CHECK(TwoNodes::call(nodes.b(), key) == 401);
  CHECK(TwoNodes::call(nodes.b(), control) == 401);
  std::printf(
      "cluster outage: during the outage node B answered %d for a key deleted meanwhile; resubscribed %lld ms "
      "after Redis restarted\n",
      during_outage, static_cast<long long>(recovered->count() / 1000));

  // And the fan-out works again.
  const auto later = TwoNodes::new_key(nodes.a());
  REQUIRE(TwoNodes::call(nodes.b(), later) == 200);
  TwoNodes::admin(nodes.a(), "/key/delete", R"({"keys":[")" + later + R"("]})");
  CHECK(TwoNodes::eventually([&] { return TwoNodes::call(nodes.b(), later) == 401; }));
}

TEST_CASE("models: one added on node A routes on node B within 1 s, deleted on node B, node A answers 404",
          "[integration][cluster][stored_models]") {
  const std::string salt = "cluster-salt-" + std::to_string(getpid());
  register_secret(salt);
  TwoNodes nodes(shared_redis(), {{"STORE_MODEL_IN_DB", "True"}, {"LITELLM_SALT_KEY", salt}});
  const std::string name = "cluster-model-" + std::to_string(getpid());
  const std::string id = "cm-" + std::to_string(getpid());
  const auto chat = [&](const TestGateway& node) {
    return http_request(node.port(), "POST", "/v1/chat/completions",
                        R"({"model":")" + name + R"(","messages":[{"role":"user","content":"hi"}]})",
                        bearer(node.master_key()))
        .status;
  };
  REQUIRE(chat(nodes.b()) == 404);
  TwoNodes::admin(nodes.a(), "/model/new",
                  R"({"model_name":")" + name +
                      R"(","litellm_params":{"model":"mock/m","mock_response":"hi",)"
                      R"("api_key":"sk-cluster-provider-key"},"model_info":{"id":")" +
                      id + R"("}})");
  CHECK(chat(nodes.a()) == 200);  // the writing node answers once it routes with it
  const auto added = TwoNodes::eventually([&] { return chat(nodes.b()) == 200; });
  CHECK(added);
  TwoNodes::admin(nodes.b(), "/model/delete", R"({"id":")" + id + R"("})");
  CHECK(chat(nodes.b()) == 404);
  const auto deleted = TwoNodes::eventually([&] { return chat(nodes.a()) == 404; });
  CHECK(deleted);
  std::printf("cluster models: added→routed on node B %lld µs, deleted→404 on node A %lld µs\n",
              added ? static_cast<long long>(added->count()) : -1LL,
              deleted ? static_cast<long long>(deleted->count()) : -1LL);
}

TEST_CASE("MCP servers: one registered on node A is in node B's registry at once, deleted on node B, gone on A",
          "[integration][cluster][mcp]") {
  FakeMcpServer upstream;
  TwoNodes nodes(shared_redis(), {}, "mcp_allowed_networks: [\"127.0.0.0/8\"]\n");
  const std::string name = "cluster_mcp_" + std::to_string(getpid());
  const auto listed = [&](const TestGateway& node) {
    const auto ready = json(http_request(node.port(), "GET", "/health/readiness").body);
    if (!ready.IsObject() || !ready.HasMember("mcp_servers")) return false;
    for (const auto& s : ready["mcp_servers"].GetArray()) {
      if (s["name"].GetString() == name) return true;
    }
    return false;
  };
  REQUIRE_FALSE(listed(nodes.b()));
  const auto created =
      TwoNodes::admin(nodes.a(), "/v1/mcp/server",
                      R"({"server_name":")" + name + R"(","url":")" + upstream.url() + R"(","transport":"http"})");
  const std::string id = created["server_id"].GetString();
  // Through the change fan-out, not the registry's 5 s poll of the store.
  const auto added = TwoNodes::eventually([&] { return listed(nodes.b()); }, std::chrono::milliseconds(500));
  CHECK(added);
  CHECK(http_request(nodes.b().port(), "DELETE", "/v1/mcp/server/" + id, "", bearer(nodes.b().master_key())).status ==
        200);
  const auto removed = TwoNodes::eventually([&] { return !listed(nodes.a()); }, std::chrono::milliseconds(500));
  CHECK(removed);
  std::printf("cluster MCP servers: registered→listed on node B %lld µs, deleted→gone on node A %lld µs\n",
              added ? static_cast<long long>(added->count()) : -1LL,
              removed ? static_cast<long long>(removed->count()) : -1LL);
}
