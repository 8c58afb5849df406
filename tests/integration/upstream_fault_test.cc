// An upstream at fault (issue #15, item 5): an answer larger than the gateway buffers, a head
// larger than its header limit, TLS spoken to a plain-HTTP port. Each is a clean 502 in the
// OpenAI envelope without the provider key, and the gateway serves the next request.
// (A bad certificate: dataplane_test.cc, "TLS upstream verified …".)
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const std::string kProviderKey = "sk-fault-provider-" + std::to_string(::getpid()) + "-secret";

// Group "ok" answers normally; group "fault" asks the upstream for `fault_model` at `api_base`.
std::string config_for(const MockUpstream& mock, const std::string& fault_model, const std::string& api_base) {
  register_secret(kProviderKey);
  auto entry = [](const std::string& group, const std::string& model, const std::string& base) {
    return "  - model_name: " + group + "\n    litellm_params:\n      model: openai/" + model +
           "\n      api_base: " + base + "\n      api_key: " + kProviderKey + "\n";
  };
  return "model_list:\n" + entry("ok", "gpt-4o", mock.base_url()) + entry("fault", fault_model, api_base) +
         "router_settings: {num_retries: 0}\n";
}

std::string chat(const std::string& group) {
  return R"({"model":")" + group + R"(","messages":[{"role":"user","content":"fault?"}]})";
}

void check_bad_gateway(const HttpReply& reply) {
  CHECK(reply.status == 502);
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  REQUIRE(d.IsObject());
  REQUIRE(d.HasMember("error"));
  for (const char* field : {"message", "type", "param", "code"}) {
    CHECK(d["error"].HasMember(field));
  }
  CHECK(reply.body.find(kProviderKey) == std::string::npos);
}

void still_serves(const TestGateway& gw) {
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat("ok"), bearer(gw.master_key())).status == 200);
}

}  // namespace

TEST_CASE("an upstream answer larger than the gateway buffers (64 MiB) is a 502", "[integration][faults][upstream]") {
  MockUpstream mock;
  // 64 MiB of reply text: with its JSON around it, past the limit.
  TestGateway gw(config_for(mock, "size-67108864", mock.base_url()));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("fault"), bearer(gw.master_key()));
  check_bad_gateway(reply);
  CHECK_THAT(reply.body, Catch::Contains("larger than the gateway accepts"));
  still_serves(gw);
}

TEST_CASE("an upstream head larger than the header limit (64 KiB) is a 502", "[integration][faults][upstream]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, "header-bytes-70000", mock.base_url()));
  check_bad_gateway(http_request(gw.port(), "POST", "/v1/chat/completions", chat("fault"), bearer(gw.master_key())));
  still_serves(gw);
  // Below the limit the same padding passes: the 502 was the limit's.
  TestGateway small(config_for(mock, "header-bytes-1000", mock.base_url()));
  CHECK(http_request(small.port(), "POST", "/v1/chat/completions", chat("fault"), bearer(small.master_key())).status ==
        200);
}

TEST_CASE("TLS to an upstream port that speaks plain HTTP is a 502", "[integration][faults][upstream][tls]") {
  MockUpstream mock;
  TestGateway gw(config_for(mock, "gpt-4o", mock.base_url("https")));
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", chat("fault"), bearer(gw.master_key()));
  check_bad_gateway(reply);
  still_serves(gw);
}
