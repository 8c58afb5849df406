// Protocol limits of the HTTP front over real sockets: body size, slow clients, header
// injection, malformed chunked framing, connection caps, keep-alive timeouts, Expect: 100-continue,
// and the JSON limits every body passes (nesting depth, UTF-8).
#include <catch2/catch.hpp>

#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const char* kConfig = R"(
model_list:
  - model_name: m
    litellm_params: {model: mock/m}
general_settings:
  max_request_body_bytes: 4096
  header_timeout: 0.3
  idle_timeout: 0.6
  max_connections: 4
)";

int status_of(const std::string& raw) {
  if (raw.size() < 12 || raw.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::stoi(raw.substr(9, 3));
}

}  // namespace

TEST_CASE("a body over the limit gets 413 and the connection closes", "[integration][limits]") {
  TestGateway gw(kConfig);
  const auto reply =
      http_request(gw.port(), "POST", "/v1/chat/completions", std::string(5000, 'x'), bearer(gw.master_key()));
  CHECK(reply.status == 413);
  CHECK_THAT(reply.body, Catch::Contains("4096"));
  CHECK(reply.header("connection") == "close");
}

TEST_CASE("a chunked body over the limit gets 413", "[integration][limits]") {
  TestGateway gw(kConfig);
  std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) request += "400\r\n" + std::string(1024, 'a') + "\r\n";
  request += "0\r\n\r\n";
  bool closed = false;
  const auto raw = raw_exchange(gw.port(), request, 2s, &closed);
  CHECK(status_of(raw) == 413);
  CHECK(closed);
}

TEST_CASE("a client that never finishes its headers is cut off", "[integration][limits]") {
  TestGateway gw(kConfig);
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  const auto raw = raw_exchange(gw.port(), "GET /health/liveliness HTTP/1.1\r\nHost: x\r\nX-Slow: ", 5s, &closed);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(closed);
  CHECK(raw.empty());
  CHECK(elapsed < 3s);  // header_timeout is 0.3 s; generous bound for a loaded machine
}

TEST_CASE("a silent new connection is cut off by the header timeout", "[integration][limits]") {
  TestGateway gw(kConfig);
  bool closed = false;
  raw_exchange(gw.port(), "", 5s, &closed);
  CHECK(closed);
}

TEST_CASE("idle keep-alive connections are closed after idle_timeout", "[integration][limits]") {
  TestGateway gw(kConfig);
  HttpConnection connection(gw.port());
  CHECK(connection.request("GET", "/health/liveliness").status == 200);
  std::this_thread::sleep_for(1500ms);
  CHECK(connection.closed_by_peer());
}

TEST_CASE("CR, LF or NUL inside a header value is rejected with 400", "[integration][limits]") {
  TestGateway gw(kConfig);
  for (const std::string& bad :
       {std::string("X-Bad: a\0b\r\n", 12), std::string("X-Bad: a\rb\r\n"), std::string("X-Bad\r\n")}) {
    INFO(bad);
    bool closed = false;
    const auto raw =
        raw_exchange(gw.port(), "GET /health/liveliness HTTP/1.1\r\nHost: x\r\n" + bad + "\r\n", 2s, &closed);
    CHECK(status_of(raw) == 400);
    CHECK(closed);
    CHECK_THAT(raw, Catch::Contains(R"({"error":{"message":)"));
  }
}

TEST_CASE("oversized headers get 431", "[integration][limits]") {
  TestGateway gw(kConfig);
  const auto raw = raw_exchange(
      gw.port(), "GET /health/liveliness HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 2s);
  CHECK(status_of(raw) == 431);
}

TEST_CASE("connections beyond max_connections are refused with 503", "[integration][limits]") {
  TestGateway gw(kConfig);
  std::vector<std::unique_ptr<HttpConnection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<HttpConnection>(gw.port()));
    REQUIRE(held.back()->request("GET", "/health/liveliness").status == 200);
  }
  bool closed = false;
  const auto raw = raw_exchange(gw.port(), "GET /health/liveliness HTTP/1.1\r\nHost: x\r\n\r\n", 2s, &closed);
  CHECK(status_of(raw) == 503);
  CHECK(closed);
  held.pop_back();
  std::this_thread::sleep_for(100ms);
  CHECK(http_request(gw.port(), "GET", "/health/liveliness").status == 200);
}

TEST_CASE("Expect: 100-continue gets an interim response before the body", "[integration][limits]") {
  TestGateway gw(kConfig);
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"x"}]})";
  const std::string head =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
      "Authorization: Bearer " +
      gw.master_key() + "\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n";
  // Send the head, wait for 100, then the body.
  const auto interim = raw_exchange(gw.port(), head, 300ms);
  CHECK_THAT(interim, Catch::StartsWith("HTTP/1.1 100 Continue"));
  const auto full = raw_exchange(gw.port(), head + body, 1s);
  CHECK_THAT(full, Catch::Contains("HTTP/1.1 200 OK"));
}

TEST_CASE("pipelined requests are answered in order", "[integration][limits]") {
  TestGateway gw(kConfig);
  const std::string one = "GET /health/liveliness HTTP/1.1\r\nHost: x\r\nx-request-id: first\r\n\r\n";
  const std::string two = "GET /health/liveliness HTTP/1.1\r\nHost: x\r\nx-request-id: second\r\n\r\n";
  const auto raw = raw_exchange(gw.port(), one + two, 1s);
  const auto a = raw.find("x-request-id: first");
  const auto b = raw.find("x-request-id: second");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  CHECK(a < b);
}

TEST_CASE("malformed chunked framing gets 400 in the envelope before the connection closes", "[integration][limits]") {
  TestGateway gw(kConfig);
  const std::string head =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n"
      "Authorization: Bearer " +
      gw.master_key() + "\r\n\r\n";
  const std::string bodies[] = {
      "zz\r\nabc\r\n0\r\n\r\n",                     // not hexadecimal
      "-5\r\nabcde\r\n0\r\n\r\n",                   // negative
      "100000000000000000000\r\nabc\r\n0\r\n\r\n",  // 21 digits: overflows
      "3;\x01\r\nabc\r\n0\r\n\r\n",                 // bad chunk extension
      "3\r\nabcXY0\r\n\r\n",                        // data not followed by CRLF
  };
  for (const auto& body : bodies) {
    INFO(body);
    bool closed = false;
    const auto raw = raw_exchange(gw.port(), head + body, 2s, &closed);
    CHECK(status_of(raw) == 400);
    CHECK_THAT(raw, Catch::Contains(R"({"error":{"message":"Malformed HTTP request)"));
    CHECK_THAT(raw, Catch::Contains("connection: close"));
    CHECK(closed);
  }
  CHECK(http_request(gw.port(), "GET", "/health/liveliness").status == 200);
}

namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// A deployment on a real HTTP upstream whose model name differs from the group's, so the
// gateway re-serializes the body it forwards (providers/upstream_request.cc).
std::string upstream_config(const MockUpstream& mock, const std::string& general = "") {
  return "model_list:\n  - model_name: m\n    litellm_params:\n      model: openai/mock-upstream-model\n"
         "      api_base: " +
         mock.base_url() + "\n      api_key: sk-unused\n" + general;
}

std::string chat_with(const std::string& extra) {
  return R"({"model":"m","messages":[{"role":"user","content":"hi"}])" + extra + "}";
}

}  // namespace

TEST_CASE("a body nested 100k levels deep gets 400 on every inference route and the gateway keeps serving",
          "[integration][limits][input]") {
  MockUpstream mock;
  TestGateway gw(upstream_config(mock));
  const auto auth = bearer(gw.master_key());
  const std::string deep = nested_arrays(100000);
  for (const auto& [path, body] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/chat/completions", chat_with(R"(,"metadata":{"a":)" + deep + "}")},
           {"/v1/chat/completions", deep},
           {"/v1/completions", R"({"model":"m","prompt":)" + deep + "}"},
           {"/v1/embeddings", R"({"model":"m","input":)" + deep + "}"},
           {"/v1/messages", R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":)" + deep + "}]}"},
       }) {
    INFO(path << " " << body.substr(0, 60));
    const auto reply = http_request(gw.port(), "POST", path, body, auth);
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body, Catch::Contains("deeper than 64 levels"));
  }
  CHECK(mock.requests_for_model("mock-upstream-model") == 0);
  CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", chat_with(""), auth).status == 200);
}

TEST_CASE("general_settings.max_json_depth sets the nesting limit", "[integration][limits][input]") {
  MockUpstream mock;
  TestGateway gw(upstream_config(mock, "general_settings: {max_json_depth: 8}\n"));
  const auto auth = bearer(gw.master_key());
  // root object + metadata object + 6 arrays = 8 levels: forwarded; one more is refused.
  const auto at_limit = http_request(gw.port(), "POST", "/v1/chat/completions",
                                     chat_with(R"(,"metadata":{"a":)" + nested_arrays(6) + "}"), auth);
  INFO(at_limit.body);
  CHECK(at_limit.status == 200);
  const auto over = http_request(gw.port(), "POST", "/v1/chat/completions",
                                 chat_with(R"(,"metadata":{"a":)" + nested_arrays(7) + "}"), auth);
  CHECK(over.status == 400);
  CHECK_THAT(over.body, Catch::Contains("deeper than 8 levels"));
  CHECK_THAT(over.body, Catch::Contains(R"("param":"metadata")"));
}

TEST_CASE("invalid UTF-8 or a NUL model name in an inference body gets 400 naming the field",
          "[integration][limits][input]") {
  MockUpstream mock;
  TestGateway gw(upstream_config(mock));
  const auto auth = bearer(gw.master_key());
  struct Row {
    std::string body;
    const char* param;
  };
  const Row rows[] = {
      {"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"bad \xff\"}]}", "messages[0].content"},
      {"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"ok\"},{\"role\":\"user\",\"content\":"
       "\"\xc0\x80\"}]}",
       "messages[1].content"},
      {R"({"model":"m","messages":[{"role":"user","content":"\udc00"}]})", "messages[0].content"},
      {R"({"model":"m\u0000x","messages":[{"role":"user","content":"hi"}]})", "model"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    const auto reply = http_request(gw.port(), "POST", "/v1/chat/completions", row.body, auth);
    CHECK(reply.status == 400);
    CHECK_THAT(reply.body, Catch::Contains(std::string(R"("param":")") + row.param + "\""));
  }
  CHECK(mock.requests_for_model("mock-upstream-model") == 0);
  const auto ok = http_request(gw.port(), "POST", "/v1/chat/completions",
                               R"({"model":"m","messages":[{"role":"user","content":"h\u00e9llo \ud83d\ude00 caf)"
                               "\xc3\xa9\"}]}",
                               auth);
  CHECK(ok.status == 200);
}
