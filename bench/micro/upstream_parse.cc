// Microbenchmark: reading one upstream response (head and a 300-byte body) the outbound
// client's way (http/upstream_response_parser) against what it replaced (Beast's
// response_parser<buffer_body> with its basic_fields, then the fields copied into a Headers
// vector for the sink), for three heads: tollgate-mock's, nginx's static upstream's (bench/run's
// peak upstream) and one shaped like api.openai.com's. Evidence for bench/optimizations.md.
//
//   ninja -C build upstream_parse_bench && build/bench/micro/upstream_parse_bench
//
// Prints ns per response (best of 5 rounds). On a loaded machine count instructions instead
// (each variant is a function of its own; divide its inclusive count by the responses):
//
//   UPSTREAM_PARSE_RESPONSES=10000 valgrind --tool=callgrind --callgrind-out-file=/tmp/up.out
//     build/bench/micro/upstream_parse_bench
//   callgrind_annotate --inclusive=yes /tmp/up.out | grep -E 'parse_(beast|gateway)'
//
// UPSTREAM_PARSE_ONLY=mock|nginx|openai reads only that head.

#include <algorithm>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "http/upstream_response_parser.h"

namespace bhttp = boost::beast::http;
using tollgate::http::Headers;

namespace {

const std::string kBody(300, 'x');

std::string with_body(std::string head) { return head + "content-length: 300\r\n\r\n" + kBody; }

const std::string kMock = with_body("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
const std::string kNginx = with_body(
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 01 Dec 2026 05:00:00 GMT\r\n"
    "Content-Type: application/json\r\nLast-Modified: Tue, 01 Dec 2026 04:59:00 GMT\r\n"
    "Connection: keep-alive\r\nETag: \"674c2d94-12c\"\r\nAccept-Ranges: bytes\r\n");
const std::string kOpenAi = with_body(
    "HTTP/1.1 200 OK\r\nDate: Tue, 01 Dec 2026 05:00:00 GMT\r\nContent-Type: application/json\r\n"
    "Connection: keep-alive\r\naccess-control-expose-headers: X-Request-ID\r\n"
    "openai-organization: user-abcdefghijklmnopqrstuvwx\r\nopenai-processing-ms: 412\r\n"
    "openai-version: 2020-10-01\r\nx-ratelimit-limit-requests: 10000\r\n"
    "x-ratelimit-limit-tokens: 2000000\r\nx-ratelimit-remaining-requests: 9999\r\n"
    "x-ratelimit-remaining-tokens: 1999975\r\nx-ratelimit-reset-requests: 6ms\r\n"
    "x-ratelimit-reset-tokens: 0s\r\nx-request-id: req_0123456789abcdef0123456789abcdef\r\n"
    "strict-transport-security: max-age=31536000; includeSubDomains; preload\r\n"
    "cf-cache-status: DYNAMIC\r\nX-Content-Type-Options: nosniff\r\nServer: cloudflare\r\n"
    "CF-RAY: 8f0123456789abcd-FRA\r\nalt-svc: h3=\":443\"; ma=86400\r\n");

// Both read the head, hand the sink (status, headers), then read the body into a 16 KiB
// buffer, as http/client.cc does. Returns something of each so nothing is optimized away.
[[gnu::noinline]] std::size_t parse_beast(const std::string& bytes) {
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(std::uint64_t{1} << 32);
  parser.header_limit(64 * 1024);
  boost::system::error_code ec;
  std::size_t at = parser.put(boost::asio::buffer(bytes), ec);
  const auto& res = parser.get();
  Headers headers;
  headers.reserve(8);
  for (const auto& field : res) headers.push_back({std::string(field.name_string()), std::string(field.value())});
  std::size_t seen = headers.size() + static_cast<std::size_t>(res.result_int()) + res.keep_alive();
  char chunk[16 * 1024];
  parser.get().body().data = chunk;
  parser.get().body().size = sizeof chunk;
  at += parser.put(boost::asio::buffer(bytes.data() + at, bytes.size() - at), ec);
  return seen + at + sizeof chunk - parser.get().body().size;
}

[[gnu::noinline]] std::size_t parse_gateway(const std::string& bytes) {
  tollgate::http::UpstreamResponseParser parser;
  parser.body_limit(std::uint64_t{1} << 32);
  parser.header_limit(64 * 1024);
  boost::system::error_code ec;
  std::size_t at = parser.put(boost::asio::buffer(bytes), ec);
  std::size_t seen = parser.headers().size() + static_cast<std::size_t>(parser.status()) + parser.keep_alive();
  char chunk[16 * 1024];
  parser.body_buffer(chunk, sizeof chunk);
  at += parser.put(boost::asio::buffer(bytes.data() + at, bytes.size() - at), ec);
  return seen + at + sizeof chunk - parser.body_left();
}

std::size_t responses() {
  const char* text = std::getenv("UPSTREAM_PARSE_RESPONSES");
  return text ? std::strtoull(text, nullptr, 10) : 200'000;
}

std::size_t sink = 0;

double best_ns(std::size_t (*parse)(const std::string&), const std::string& bytes) {
  const std::size_t n = responses();
  double best = 1e18;
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) sink += parse(bytes);
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / static_cast<double>(n));
  }
  return best;
}

}  // namespace

int main() {
  const char* only = std::getenv("UPSTREAM_PARSE_ONLY");
  const std::pair<const char*, const std::string*> heads[] = {{"mock: tollgate-mock's (2 fields)", &kMock},
                                                              {"nginx: nginx static's (8 fields)", &kNginx},
                                                              {"openai: api.openai.com-like (21 fields)", &kOpenAi}};
  for (const auto& [name, bytes] : heads) {
    if (only && std::string(name).rfind(std::string(only) + ":", 0) != 0) continue;
    if (parse_beast(*bytes) != parse_gateway(*bytes)) {
      std::printf("the two parsers disagree on %s\n", name);
      return 1;
    }
    std::printf("%s:\n", name);
    std::printf("  Beast response_parser + copy (before)  %6.1f ns\n", best_ns(parse_beast, *bytes));
    std::printf("  http/upstream_response_parser         %6.1f ns\n", best_ns(parse_gateway, *bytes));
  }
  return sink == 42 ? 1 : 0;
}
