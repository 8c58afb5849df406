// The head writer both directions share (responses in http/session.cc, upstream requests in
// http/client.cc): what it refuses, and that the bodies it frames parse back as sent.
#include <catch2/catch.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "http/head_writer.h"

using namespace tollgate::http;
namespace bhttp = boost::beast::http;

namespace {

using namespace std::string_literals;

// Values that would end the line early if written; the last holds a NUL.
const std::string kBadValues[] = {
    "v\r\nx-injected: yes",           "v\nx-injected: yes", "v\rx-injected: yes", "v\0x-injected: yes"s, "\r\n",
    "v\r\n\r\nGET /smuggled HTTP/1.1"};

// Parses `bytes` as exactly one whole message (a request when IsRequest, else a response).
template <bool IsRequest>
bhttp::message<IsRequest, bhttp::string_body> parse(const std::string& bytes) {
  bhttp::parser<IsRequest, bhttp::string_body> parser;
  parser.eager(true);
  boost::system::error_code ec;
  const auto used = parser.put(boost::asio::buffer(bytes), ec);
  INFO(bytes);
  REQUIRE_FALSE(ec);
  REQUIRE(parser.is_done());
  CHECK(used == bytes.size());  // nothing after the message: no second message smuggled in
  return parser.release();
}

}  // namespace

TEST_CASE("field names must be tokens", "[http][head_writer]") {
  for (const char* good : {"content-type", "X-Request-Id", "anthropic-version", "a", "!#$%&'*+-.^_`|~09AZaz"}) {
    INFO(good);
    CHECK(is_field_name(good));
  }
  for (const std::string& bad : {""s, "x injected"s, "x:y"s, "x\r\ny"s, "x\ny"s, "x\0y"s, "x\ty"s, "(x)"s, "x/y"s,
                                 "x\"y"s, "caf\xc3\xa9"s, "x\x7f"s}) {
    INFO(bad);
    CHECK_FALSE(is_field_name(bad));
  }
}

TEST_CASE("field values must not hold CR, LF or NUL", "[http][head_writer]") {
  for (const std::string& good : {""s, "Bearer sk-1"s, "a\tb c"s, "caf\xc3\xa9"s, "x; q=0.5, *"s}) {
    CHECK(is_field_value(good));
  }
  for (const auto& bad : kBadValues) {
    CHECK_FALSE(is_field_value(bad));
  }
}

TEST_CASE("request targets must not hold spaces or control characters", "[http][head_writer]") {
  CHECK(is_request_target("/v1/chat/completions"));
  CHECK(is_request_target("/openai/deployments/d/chat/completions?api-version=2024-02-01"));
  for (const std::string& bad : {""s, "/a b"s, "/a\r\nx-injected: yes"s, "/a\nb"s, "/a\0b"s, "/a\tb"s, "/a\x7f"s,
                                 "/a HTTP/1.1\r\nx-injected: yes\r\n\r\nGET /b"s}) {
    INFO(bad);
    CHECK_FALSE(is_request_target(bad));
  }
}

TEST_CASE("a refused field is left out of the head and the rest is written", "[http][head_writer]") {
  std::string out;
  HeadWriter head(out);
  head.status_line(200);
  CHECK(head.field("content-type", "application/json"));
  for (const auto& bad : kBadValues) {
    CHECK_FALSE(head.field("x-bad", bad));
  }
  CHECK_FALSE(head.field("x-bad\r\nx-injected", "v"));
  CHECK_FALSE(head.field("x bad", "v"));
  CHECK_FALSE(head.field("", "v"));
  CHECK(head.field("x-good", "ok"));
  head.content_length(0);
  head.end();
  CHECK(out == "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-good: ok\r\ncontent-length: 0\r\n\r\n");
}

TEST_CASE("requests and responses refuse the same values", "[http][head_writer]") {
  // Both sides of the gateway write through HeadWriter; the same bad values reach neither wire.
  std::string request_bytes;
  HeadWriter request(request_bytes);
  REQUIRE(request.request_line("POST", "/v1/chat/completions"));
  request.field("host", "upstream:8080");
  request.content_length(2);
  std::string response_bytes;
  HeadWriter response(response_bytes);
  response.status_line(200);
  response.content_length(2);
  for (const auto& bad : kBadValues) {
    CHECK_FALSE(request.field("authorization", bad));
    CHECK_FALSE(response.field("x-litellm-model-group", bad));
  }
  request.end();
  request_bytes += "{}";
  response.end();
  response_bytes += "{}";
  const auto sent = parse<true>(request_bytes);
  const auto answered = parse<false>(response_bytes);
  const bhttp::fields& request_fields = sent;
  const bhttp::fields& response_fields = answered;
  for (const auto* message_fields : {&request_fields, &response_fields}) {
    CHECK(message_fields->find("x-injected") == message_fields->end());
    CHECK(message_fields->find("authorization") == message_fields->end());
    CHECK(message_fields->find("x-litellm-model-group") == message_fields->end());
  }
  CHECK(sent.body() == "{}");
  CHECK(answered.body() == "{}");
}

TEST_CASE("an unsafe request target writes no request line", "[http][head_writer]") {
  std::string out;
  HeadWriter head(out);
  CHECK_FALSE(head.request_line("POST", "/v1 HTTP/1.1\r\nx-injected: yes\r\n\r\nGET /b"));
  CHECK_FALSE(head.request_line("PO ST", "/v1"));
  CHECK(out.empty());
  CHECK(head.request_line("GET", "/v1/models?x=1"));
  CHECK(out == "GET /v1/models?x=1 HTTP/1.1\r\n");
}

TEST_CASE("status lines carry the reason phrase", "[http][head_writer]") {
  for (const auto& [status, line] :
       std::vector<std::pair<int, std::string>>{{200, "HTTP/1.1 200 OK\r\n"},
                                                {404, "HTTP/1.1 404 Not Found\r\n"},
                                                {429, "HTTP/1.1 429 Too Many Requests\r\n"},
                                                {503, "HTTP/1.1 503 Service Unavailable\r\n"}}) {
    std::string out;
    HeadWriter(out).status_line(status);
    CHECK(out == line);
  }
}

TEST_CASE("a content-length body parses back whole", "[http][head_writer]") {
  const std::string body = R"({"model":"m","messages":[{"role":"user","content":"a\r\n\r\nGET /x HTTP/1.1"}]})";
  std::string out;
  HeadWriter head(out);
  REQUIRE(head.request_line("POST", "/v1/chat/completions"));
  head.field("host", "127.0.0.1:9");
  head.content_length(body.size());
  head.field("content-type", "application/json");
  head.end();
  out += body;
  const auto message = parse<true>(out);
  CHECK(message.method_string() == "POST");
  CHECK(message.target() == "/v1/chat/completions");
  CHECK(message[bhttp::field::content_length] == std::to_string(body.size()));
  CHECK(message.body() == body);  // the CRLFs inside the body stay body
}

TEST_CASE("a chunked body parses back whole and ends with the last chunk", "[http][head_writer]") {
  const std::vector<std::string> pieces = {"data: one\n\n", "", std::string(300, 'x'), "data: [DONE]\n\n"};
  std::string out;
  HeadWriter head(out);
  head.status_line(200);
  head.field("content-type", "text/event-stream");
  head.chunked();
  head.end();
  std::string expected;
  for (const auto& piece : pieces) {
    append_chunk(out, piece);
    expected += piece;
  }
  CHECK(out.find("12c\r\n" + std::string(300, 'x') + "\r\n") != std::string::npos);  // sizes in hex
  CHECK(out.find("\r\n0\r\n") == std::string::npos);  // the empty piece did not end the body
  append_last_chunk(out);
  const auto message = parse<false>(out);
  CHECK(message.chunked());
  CHECK(message.result_int() == 200);
  CHECK(message.body() == expected);
}
