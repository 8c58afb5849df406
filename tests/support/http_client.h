#pragma once
// A small blocking HTTP/1.1 client for tests (real sockets over loopback).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

namespace tollgate::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A JSON body parsed (HasParseError() when it is not JSON). Keep the Document while reading
// its values: they point into it.
rapidjson::Document parse_json(const std::string& text);

// One keep-alive connection.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port);
  ~HttpConnection();
  HttpReply request(const std::string& method, const std::string& target, const std::string& body = "",
                    const HeaderList& headers = {});
  // True when the server closed the connection.
  bool closed_by_peer();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A fresh connection per call.
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = "", const HeaderList& headers = {});

inline HeaderList bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

// The bytes of a POST with a JSON body (for raw_exchange).
std::string raw_post(const std::string& target, const std::string& body, const HeaderList& headers);

// Writes `bytes` as is, then reads until the peer closes or `timeout` passes. Returns what was
// read; `closed` tells whether the peer closed the connection.
std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout,
                         bool* closed = nullptr);

// Server-sent events read as they arrive, with arrival times.
struct SseEvent {
  std::string data;
  std::chrono::steady_clock::time_point arrived;
};
std::vector<SseEvent> read_sse(std::uint16_t port, const std::string& target, const std::string& body,
                               const HeaderList& headers, int* status = nullptr);

// The JSON on an event's `data:` line (an SseEvent holds the whole event, `event:` line and
// all); HasParseError() when there is none or it is not JSON.
rapidjson::Document sse_data_json(const SseEvent& event);

}  // namespace tollgate::testing
