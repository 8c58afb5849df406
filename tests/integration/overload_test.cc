// Graceful overload over real sockets: past each bound on concurrent work (requests in flight,
// pending upstream connects, open connections) the gateway answers 503 gateway_overloaded with
// retry-after at once, counts it in tollgate_shed_requests_total{reason}, keeps /health and
// /metrics answering, and serves again as soon as the work drains.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kChat = R"({"model":"priced","messages":[{"role":"user","content":"hi"}]})";

double shed_count(const TestGateway& gw, const std::string& reason) {
  const auto reply = http_request(gw.port(), "GET", "/metrics");
  REQUIRE(reply.status == 200);
  return metric_sum(reply.body, "tollgate_shed_requests_total", "reason=\"" + reason + "\"");
}

void check_shed(const HttpReply& reply) {
  CHECK(reply.status == 503);
  CHECK(reply.header("retry-after") == "1");
  CHECK_THAT(reply.body, Catch::Contains(R"("code":"gateway_overloaded")"));
  CHECK_THAT(reply.body, Catch::Contains(R"("type":"service_unavailable")"));
}

// Waits until `ready()` or about 5 s.
template <typename Ready>
bool eventually(Ready ready) {
  for (int tries = 0; tries < 500; ++tries) {
    if (ready()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// A loopback listener that never accepts, its accept queue filled: connecting to it hangs
// (the kernel drops the SYNs) until the connector gives up.
class StuckListener {
 public:
  StuckListener() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 0) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < 4; ++i) {  // fill the queue; the last connects may themselves hang
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers_.push_back(fd);
    }
    std::this_thread::sleep_for(100ms);
  }
  ~StuckListener() {
    for (int fd : fillers_) ::close(fd);
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::vector<int> fillers_;
};

}  // namespace

TEST_CASE("past max_in_flight_requests a request gets 503 with retry-after at once, counted, probes still answer",
          "[integration][overload]") {
  MockUpstream mock;
  TestGateway gw(priced_models_yaml(mock) + "general_settings:\n  max_in_flight_requests: 1\n");
  mock.configure(R"({"latency_ms":1500})");
  const auto key = gw.master_key();
  auto slow = std::async(std::launch::async,
                         [&] { return http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)); });
  REQUIRE(eventually([&] { return mock.requests_for_model("priced-model") == 1; }));

  const auto start = std::chrono::steady_clock::now();
  const auto refused = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key));
  check_shed(refused);
  CHECK(std::chrono::steady_clock::now() - start < 1s);  // answered at once, not after the slow one
  CHECK(mock.requests_for_model("priced-model") == 1);   // the refused request never went upstream
  CHECK(http_request(gw.port(), "GET", "/health/liveliness").status == 200);
  CHECK(shed_count(gw, "in_flight") == 1);

  // A refusal reads the whole request and keeps the connection: the next request on it is read
  // from where the refused one ended.
  HttpConnection kept(gw.port());
  for (int i = 0; i < 2; ++i) {
    const auto again = kept.request("POST", "/v1/chat/completions", kChat, bearer(key));
    check_shed(again);
    CHECK(again.header("connection").empty());
  }
  CHECK(shed_count(gw, "in_flight") == 3);

  CHECK(slow.get().status == 200);
  mock.configure(R"({"latency_ms":0})");
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)).status == 200);
  CHECK(kept.request("POST", "/v1/chat/completions", kChat, bearer(key)).status == 200);
  CHECK_FALSE(kept.closed_by_peer());
  CHECK(shed_count(gw, "in_flight") == 3);
}

TEST_CASE("without max_in_flight_requests concurrent requests are all served", "[integration][overload]") {
  MockUpstream mock;
  TestGateway gw(priced_models_yaml(mock));
  mock.configure(R"({"latency_ms":300})");
  const auto key = gw.master_key();
  std::vector<std::future<HttpReply>> replies;
  for (int i = 0; i < 4; ++i) {
    replies.push_back(std::async(std::launch::async, [&] {
      return http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key));
    }));
  }
  for (auto& r : replies) CHECK(r.get().status == 200);
  CHECK(shed_count(gw, "in_flight") == 0);
}

TEST_CASE("past max_pending_upstream_connects a call gets 503 with retry-after at once, counted",
          "[integration][overload]") {
  StuckListener stuck;
  MockUpstream mock;
  TestGateway gw(R"(
model_list:
  - model_name: stuck
    litellm_params: {model: openai/stuck-model, api_base: "http://127.0.0.1:)" +
                 std::to_string(stuck.port()) + R"(", api_key: sk-upstream-unused}
  - model_name: priced
    litellm_params: {model: openai/priced-model, api_base: ")" +
                 mock.base_url() + R"(", api_key: sk-upstream-unused}
general_settings:
  max_pending_upstream_connects: 1
  upstream_connect_timeout: 2
router_settings:
  num_retries: 0
)");
  const auto key = gw.master_key();
  const std::string stuck_chat = R"({"model":"stuck","messages":[{"role":"user","content":"hi"}]})";
  auto hanging = std::async(std::launch::async, [&] {
    return http_request(gw.port(), "POST", "/v1/chat/completions", stuck_chat, bearer(key));
  });
  std::this_thread::sleep_for(300ms);  // its connect is pending now

  const auto start = std::chrono::steady_clock::now();
  check_shed(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)));
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(mock.requests_for_model("priced-model") == 0);
  CHECK(shed_count(gw, "upstream_connects") == 1);

  // The stuck connect times out (an upstream error, not a shed); then connects are free again.
  const auto timed_out = hanging.get();
  CHECK(timed_out.status != 503);
  CHECK(timed_out.status >= 500);
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(key)).status == 200);
  CHECK(shed_count(gw, "upstream_connects") == 1);
}

TEST_CASE("past max_connections a connection gets 503 with retry-after, counted", "[integration][overload]") {
  TestGateway gw(R"(
model_list:
  - model_name: m
    litellm_params: {model: mock/m}
general_settings:
  max_connections: 2
)");
  std::vector<std::unique_ptr<HttpConnection>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<HttpConnection>(gw.port()));
    REQUIRE(held.back()->request("GET", "/health/liveliness").status == 200);
  }
  check_shed(http_request(gw.port(), "GET", "/health/liveliness"));
  held.pop_back();
  REQUIRE(eventually([&] { return http_request(gw.port(), "GET", "/health/liveliness").status == 200; }));
  // /metrics needs a connection too: read it on one of the held ones.
  const auto metrics = held.front()->request("GET", "/metrics");
  CHECK(metric_sum(metrics.body, "tollgate_shed_requests_total", R"(reason="connections")") >= 1);
}
