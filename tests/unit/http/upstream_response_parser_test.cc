// The outbound client's response parser (http/upstream_response_parser.h): the head as the
// upstream sent it, the body into the caller's buffer a buffer at a time (chunked or not), and
// whether the connection may be reused.
#include <catch2/catch.hpp>

#include <boost/beast/http/error.hpp>
#include <string>

#include "http/upstream_response_parser.h"

using namespace tollgate::http;
namespace bhttp = boost::beast::http;

namespace {

// Feeds `bytes` as a reader would: the head first, then the body through buffers of `chunk`
// bytes, appending what each buffer received. Returns the body; `parser` is left done.
std::string read_all(UpstreamResponseParser& parser, const std::string& bytes, std::size_t chunk) {
  boost::system::error_code ec;
  std::size_t at = parser.put(boost::asio::buffer(bytes), ec);
  REQUIRE_FALSE(ec);
  REQUIRE(parser.is_header_done());
  std::string body;
  std::string buffer(chunk, '\0');
  for (int round = 0; !parser.is_done() && round < 1000; ++round) {
    parser.body_buffer(buffer.data(), buffer.size());
    at += parser.put(boost::asio::buffer(bytes.data() + at, bytes.size() - at), ec);
    if (ec == bhttp::error::need_buffer) ec = {};
    REQUIRE_FALSE(ec);
    body.append(buffer.data(), buffer.size() - parser.body_left());
  }
  REQUIRE(parser.is_done());
  CHECK(at == bytes.size());
  return body;
}

}  // namespace

TEST_CASE("upstream response parser: status, fields in order as sent, and a sized body", "[http]") {
  UpstreamResponseParser parser;
  const std::string body = read_all(parser,
                                    "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
                                    "Retry-After: 7\r\nx-a: 1\r\nx-a: 2\r\nContent-Length: 12\r\n\r\n{\"e\":\"slow\"}",
                                    4);
  CHECK(parser.status() == 429);
  const Headers& h = parser.headers();
  REQUIRE(h.size() == 5);
  CHECK(h[0].name == "Content-Type");
  CHECK(h[0].value == "application/json");
  CHECK(h[1].name == "Retry-After");
  CHECK(h[1].value == "7");
  CHECK(h[2].value == "1");
  CHECK(h[3].value == "2");
  CHECK(body == "{\"e\":\"slow\"}");
  CHECK(parser.keep_alive());
}

TEST_CASE("upstream response parser: a chunked body arrives de-chunked through a small buffer", "[http]") {
  UpstreamResponseParser parser;
  const std::string body = read_all(parser,
                                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n",
                                    3);
  CHECK(parser.status() == 200);
  CHECK(body == "hello, world");
  CHECK(parser.keep_alive());
}

TEST_CASE("upstream response parser: without a buffer, the body waits in the input", "[http]") {
  UpstreamResponseParser parser;
  const std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  boost::system::error_code ec;
  const auto head = parser.put(boost::asio::buffer(bytes), ec);
  REQUIRE_FALSE(ec);
  CHECK(parser.put(boost::asio::buffer(bytes.data() + head, bytes.size() - head), ec) == 0);
  CHECK(ec == bhttp::error::need_buffer);
  CHECK_FALSE(parser.is_done());
}

TEST_CASE("upstream response parser: a connection that cannot be reused", "[http]") {
  SECTION("Connection: close") {
    UpstreamResponseParser parser;
    read_all(parser, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 8);
    CHECK_FALSE(parser.keep_alive());
  }
  SECTION("HTTP/1.0 without keep-alive") {
    UpstreamResponseParser parser;
    read_all(parser, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 8);
    CHECK_FALSE(parser.keep_alive());
  }
  SECTION("a body that ends with the connection") {
    UpstreamResponseParser parser;
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(std::string("HTTP/1.1 200 OK\r\n\r\n")), ec);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(parser.keep_alive());
  }
}
