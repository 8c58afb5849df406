// Microbenchmark: the cost of writing one HTTP/1.1 head, the gateway's way (http/head_writer)
// against the hand framing it replaced and against Beast's serializer, for a typical response
// of the gateway and a typical upstream request. Evidence for bench/optimizations.md row 8.
//
//   ninja -C build-release head_framing_bench && build-release/bench/micro/head_framing_bench
//
// Prints ns per head (best of 5 rounds of 200,000 heads each, so other load on the machine
// shows as spread, not as a slower best). On a loaded machine count instructions instead, which
// load does not change (each variant is a function of its own; divide by 5 x the heads):
//
//   HEAD_FRAMING_HEADS=10000 valgrind --tool=callgrind --callgrind-out-file=/tmp/hf.out
//   build-release/bench/micro/head_framing_bench callgrind_annotate --inclusive=yes /tmp/hf.out | grep -E
//   '_(response|request)[(]'

#include <algorithm>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "http/head_writer.h"

namespace bhttp = boost::beast::http;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

// What a proxied chat completion answers with (api/chat_routes.cc, proxy/proxy_call.cc).
const Headers kResponseHeaders = {
    {"x-litellm-model-group", "bench"},
    {"x-litellm-attempted-retries", "0"},
    {"x-litellm-attempted-fallbacks", "0"},
    {"x-litellm-response-cost", "0.000185"},
    {"x-litellm-overhead-duration-ms", "0.183"},
    {"x-ratelimit-remaining-requests", "999999999"},
    {"x-ratelimit-remaining-tokens", "999999999987"},
};
const std::string kRequestId = "0192f3a4-7b1c-7d2e-9f30-4a5b6c7d8e9f";
const Headers kRequestHeaders = {{"content-type", "application/json"},
                                 {"accept", "application/json"},
                                 {"authorization", "Bearer sk-bench-upstream"}};
volatile std::size_t g_sink;  // keeps the optimizer from dropping the work

// ---- the hand framing of http/session.cc and http/client.cc before head_writer (commit fde43ea)
bool header_value_is_safe(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::string reason_phrase(int status) {
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  return reason.empty() ? std::string("Unknown") : std::string(reason);
}

[[gnu::noinline]] void legacy_response(std::string& out, std::size_t content_length) {
  out += "HTTP/1.1 ";
  out += std::to_string(200);
  out += ' ';
  out += reason_phrase(200);
  out += "\r\ncontent-type: ";
  out += "application/json";
  out += "\r\ncontent-length: ";
  out += std::to_string(content_length);
  out += "\r\nx-request-id: ";
  out += kRequestId;
  for (const auto& [name, value] : kResponseHeaders) {
    if (!header_value_is_safe(name) || !header_value_is_safe(value)) continue;
    out += "\r\n";
    out += name;
    out += ": ";
    out += value;
  }
  out += "\r\n\r\n";
}

[[gnu::noinline]] void legacy_request(std::string& out, std::size_t content_length) {
  out.reserve(256 + 20);
  out += "POST";
  out += ' ';
  out += "/v1/chat/completions";
  out += " HTTP/1.1\r\nhost: ";
  out += "127.0.0.1:8081";
  out += "\r\ncontent-length: ";
  out += std::to_string(content_length);
  for (const auto& [name, value] : kRequestHeaders) {
    out += "\r\n";
    out += name;
    out += ": ";
    out += value;
  }
  out += "\r\n\r\n";
}

// ---- http/head_writer
[[gnu::noinline]] void writer_response(std::string& out, std::size_t content_length) {
  tollgate::http::HeadWriter head(out);
  head.status_line(200);
  head.field("content-type", "application/json");
  head.content_length(content_length);
  head.field("x-request-id", kRequestId);
  for (const auto& [name, value] : kResponseHeaders) head.field(name, value);
  head.end();
}

[[gnu::noinline]] void writer_request(std::string& out, std::size_t content_length) {
  tollgate::http::HeadWriter head(out);
  head.request_line("POST", "/v1/chat/completions");
  head.field("host", "127.0.0.1:8081");
  head.content_length(content_length);
  for (const auto& [name, value] : kRequestHeaders) head.field(name, value);
  head.end();
}

// ---- Beast: a message with its fields (the guard still ours: Beast 1.74 checks no value),
// then the serializer's buffers walked as async_write would gather them (no copy counted).
template <bool IsRequest>
std::size_t walk_serializer(bhttp::message<IsRequest, bhttp::string_body>& message) {
  bhttp::serializer<IsRequest, bhttp::string_body> serializer(message);
  serializer.split(true);  // the head only
  std::size_t bytes = 0;
  boost::system::error_code ec;
  while (!serializer.is_header_done()) {
    serializer.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      const auto size = boost::asio::buffer_size(buffers);
      bytes += size;
      serializer.consume(size);
    });
  }
  return bytes;
}

[[gnu::noinline]] std::size_t beast_response(std::size_t content_length) {
  bhttp::response<bhttp::string_body> response(bhttp::status::ok, 11);
  response.set(bhttp::field::content_type, "application/json");
  response.content_length(content_length);
  response.set("x-request-id", kRequestId);
  for (const auto& [name, value] : kResponseHeaders) {
    if (tollgate::http::is_field_name(name) && tollgate::http::is_field_value(value)) response.insert(name, value);
  }
  return walk_serializer(response);
}

[[gnu::noinline]] std::size_t beast_request(std::size_t content_length) {
  bhttp::request<bhttp::string_body> request(bhttp::verb::post, "/v1/chat/completions", 11);
  request.set(bhttp::field::host, "127.0.0.1:8081");
  request.content_length(content_length);
  for (const auto& [name, value] : kRequestHeaders) {
    if (tollgate::http::is_field_name(name) && tollgate::http::is_field_value(value)) request.insert(name, value);
  }
  return walk_serializer(request);
}

int heads_per_round() {
  const char* text = std::getenv("HEAD_FRAMING_HEADS");
  return text ? std::atoi(text) : 200'000;
}

template <class Fn>
double best_ns_per_head(Fn&& fn) {
  static const int kHeads = heads_per_round();
  double best = 1e30;
  for (int round = 0; round < 5; ++round) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kHeads; ++i) g_sink = g_sink + fn(static_cast<std::size_t>(300 + (i & 63)));
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / kHeads);
  }
  return best;
}

// The session and the client append into a string whose capacity is kept between messages.
template <class Write>
double into_reused_string(Write write) {
  std::string out;
  return best_ns_per_head([&](std::size_t length) {
    out.clear();
    write(out, length);
    return out.size();
  });
}

}  // namespace

int main() {
  std::printf("response head (%zu handler headers):\n", kResponseHeaders.size());
  std::printf("  hand framing (before)  %6.1f ns\n", into_reused_string(legacy_response));
  std::printf("  http/head_writer       %6.1f ns\n", into_reused_string(writer_response));
  std::printf("  Beast serializer       %6.1f ns\n", best_ns_per_head(beast_response));
  std::printf("upstream request head (%zu headers):\n", kRequestHeaders.size());
  std::printf("  hand framing (before)  %6.1f ns\n", into_reused_string(legacy_request));
  std::printf("  http/head_writer       %6.1f ns\n", into_reused_string(writer_request));
  std::printf("  Beast serializer       %6.1f ns\n", best_ns_per_head(beast_request));
}
