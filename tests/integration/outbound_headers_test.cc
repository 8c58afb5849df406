// What the gateway writes to an upstream cannot be split: config values (provider api keys, an
// Azure deployment name or api_version) and client values (headers, body) never add a header
// or a second request to what tollgate-mock receives. The framing itself is http/head_writer.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

const std::string kKey = "sk-outbound-secret-" + std::to_string(::getpid());

// One deployment `g` on the mock. `params` are extra litellm_params lines (YAML, 6 spaces in).
std::string deployment(const MockUpstream& mock, const std::string& model, const std::string& params) {
  register_secret(kKey);
  return "model_list:\n  - model_name: g\n    litellm_params:\n      model: " + model +
         "\n      api_base: http://127.0.0.1:" + std::to_string(mock.port()) + "\n" + params +
         "router_settings: {num_retries: 0}\n";
}

const std::string kChat = R"({"model":"g","messages":[{"role":"user","content":"hi"}]})";

std::int64_t requests_seen(const MockUpstream& mock) { return mock.stats()["requests"].GetInt64(); }

}  // namespace

TEST_CASE("a provider api_key with CR, LF or NUL adds no header upstream", "[integration][outbound_headers]") {
  MockUpstream mock;
  struct Case {
    std::string model;
    std::string api_key_yaml;  // the api_key line's value as YAML writes it
    std::map<std::string, std::string> env;
    std::string credential_header;
  };
  const std::vector<Case> cases = {
      {"openai/m", "\"" + kKey + "\\r\\nx-injected: yes\"", {}, "authorization"},
      {"anthropic/m", "os.environ/PROVIDER_KEY", {{"PROVIDER_KEY", kKey + "\nx-injected: yes"}}, "x-api-key"},
      {"azure/m", "\"" + kKey + "\\0\\r\\nx-injected: yes\"", {}, "api-key"},
  };
  for (const auto& c : cases) {
    INFO(c.model);
    mock.reset();
    TestGateway gw(deployment(mock, c.model, "      api_key: " + c.api_key_yaml + "\n      api_version: 2024-02-01\n"),
                   c.env);
    http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(gw.master_key()));
    REQUIRE(requests_seen(mock) == 1);  // the request went out, without the refused header
    const auto last = mock.last();
    CHECK_FALSE(last["headers"].HasMember("x-injected"));
    CHECK_FALSE(last["headers"].HasMember(c.credential_header.c_str()));  // refused whole, not cut
    CHECK(std::string(last["body"].GetString()).find("x-injected") == std::string::npos);
  }
}

TEST_CASE("a deployment name or api_version that would split the request line never reaches the upstream",
          "[integration][outbound_headers]") {
  MockUpstream mock;
  for (const auto& [model, version] : std::vector<std::pair<std::string, std::string>>{
           {"\"azure/d HTTP/1.1\\r\\nx-injected: yes\\r\\n\\r\\nPOST /smuggled\"", "2024-02-01"},
           {"azure/d", "\"2024-02-01 HTTP/1.1\\nx-injected: yes\""},
           {"azure/d", "\"2024-02-01\\0\""}}) {
    INFO(model << " " << version);
    mock.reset();
    TestGateway gw(deployment(mock, model, "      api_key: " + kKey + "\n      api_version: " + version + "\n"));
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(gw.master_key()));
    CHECK(reply.status >= 500);
    CHECK_THAT(reply.body, Catch::Contains(R"({"error":{"message":)"));
    CHECK(reply.body.find(kKey) == std::string::npos);
    CHECK(requests_seen(mock) == 0);  // not a byte of the request was sent
  }
}

TEST_CASE("client headers and body cannot add a header or a request upstream", "[integration][outbound_headers]") {
  MockUpstream mock;
  TestGateway gw(deployment(mock, "openai/g", "      api_key: " + kKey + "\n"));
  // Valid JSON whose whitespace and string hold what a smuggled request would look like; the
  // group name equals the upstream model and it sets its output limit (the gateway writes none),
  // so the body is forwarded byte for byte.
  const std::string body =
      "{\"model\":\"g\",\"max_tokens\":10,\r\n\r\n\"messages\":[{\"role\":\"user\",\"content\":"
      "\"x\\r\\n\\r\\nPOST /smuggled HTTP/1.1\\r\\nx-injected: yes\\r\\n\\r\\n\"}]}";
  auto headers = bearer(gw.master_key());
  headers.push_back({"x-client-header", "from-the-client"});
  headers.push_back({"x-request-id", "trace-7"});
  const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", body, headers);
  REQUIRE(reply.status == 200);
  const auto stats = mock.stats();
  CHECK(stats["requests"].GetInt64() == 1);
  CHECK_FALSE(stats["by_path"].HasMember("/smuggled"));
  const auto last = mock.last();
  CHECK(std::string(last["body"].GetString()) == body);
  CHECK_FALSE(last["headers"].HasMember("x-injected"));
  // No client header is forwarded: the upstream head holds only what the gateway chose.
  CHECK_FALSE(last["headers"].HasMember("x-client-header"));
  CHECK_FALSE(last["headers"].HasMember("x-request-id"));
  CHECK(std::string(last["headers"]["authorization"].GetString()) == "Bearer " + kKey);
}
