#pragma once
// The outbound HTTP/1.1 client: keep-alive pools per upstream and per I/O thread (no locks),
// TLS with certificate and host name verification, connect / first-byte / idle timeouts,
// streaming delivery of the body as it arrives, and cancellation that never reuses the
// connection.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/method.h"
#include "http/outbound_guard.h"
#include "http/response.h"
#include "http/upstream_url.h"

namespace tollgate::telemetry {
class OverloadMetrics;
}

namespace tollgate::http {

class IoThreads;

struct ClientOptions {
  std::size_t max_idle_per_upstream = 512;  // per I/O thread
  std::chrono::milliseconds pool_idle_timeout{60'000};
  std::chrono::milliseconds connect_timeout{5'000};
  std::string extra_ca_file;  // PEM, added to the system CA bundle
  bool verify_tls = true;
  // New connections being opened at once, over all I/O threads; past it send() fails the call
  // with ClientErrorKind::overloaded.
  std::size_t max_pending_connects = 1024;
  telemetry::OverloadMetrics* overload = nullptr;  // optional; counts those refusals
};

struct OutboundRequest {
  Method method = Method::post;
  std::string target;  // path and query, e.g. "/v1/chat/completions"
  Headers headers;
  std::string body;
  std::chrono::milliseconds first_byte_timeout{600'000};  // until the response head
  std::chrono::milliseconds idle_timeout{600'000};        // between body reads
  // The SSRF guard for an admin-supplied URL (http/outbound_guard.h); null: none (upstreams
  // the operator configured).
  std::shared_ptr<const OutboundGuard> guard;
};

// blocked: the request's guard refused the address (no connection was attempted).
// overloaded: max_pending_connects new connections were already being opened (none attempted).
enum class ClientErrorKind { connect, tls, timeout, reset, protocol, cancelled, blocked, overloaded };
std::string_view client_error_name(ClientErrorKind kind);

// Receives one response. Methods run on the I/O thread of the call, in this order:
// on_head, on_data* , then exactly one of on_complete / on_error (on_error may come first).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void on_head(int status, const Headers& headers) = 0;
  virtual void on_data(std::string_view bytes) = 0;  // de-chunked body bytes, as they arrive
  virtual void on_complete() = 0;
  virtual void on_error(ClientErrorKind kind, const std::string& message) = 0;
};

// A call in progress. cancel() is safe from any thread; the sink hears nothing afterwards.
class OutboundCall {
 public:
  virtual ~OutboundCall() = default;
  virtual void cancel() = 0;
};

class HttpClient {
 public:
  HttpClient(IoThreads& io, ClientOptions options);
  ~HttpClient();

  // Starts the call on the calling I/O thread (or a round-robin one when called elsewhere).
  std::shared_ptr<OutboundCall> send(const UpstreamUrl& upstream, OutboundRequest request,
                                     std::shared_ptr<ResponseSink> sink);

  IoThreads& io();

  struct Impl;  // defined in client.cc; public only so the call objects there can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::http
