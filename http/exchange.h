#pragma once
// One request and its response. Everything about a request runs on one executor: the I/O
// thread of its connection (ARCHITECTURE.md, "one executor per call"). Handlers receive a
// shared pointer, may answer at once or later from any thread (an answer given elsewhere is
// posted to the executor, in call order), and may stream.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/method.h"
#include "http/response.h"

namespace tollgate::http {

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  virtual ~Exchange() = default;

  // --- request ---
  Method method() const { return method_; }
  std::string_view path() const { return path_; }
  std::string_view query() const { return query_; }
  std::string_view body() const { return body_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& remote_address() const { return remote_address_; }
  // When the request had been read completely (the start of gateway overhead).
  std::chrono::steady_clock::time_point received_at() const { return received_at_; }
  // Header value, "" when absent. Names are case-insensitive.
  virtual std::string_view header(std::string_view name) const = 0;
  // A `{name}` segment of the matched route pattern; "" when absent.
  std::string_view param(std::string_view name) const;
  // A decoded query parameter; nullopt when absent or malformed.
  core::Result<std::optional<std::string>> query_param(std::string_view name) const;

  // --- the executor ---
  // True on the thread that runs this exchange's executor.
  virtual bool running_on_executor() const = 0;
  // Queues `fn` on the executor; never runs it inline.
  virtual void post(std::function<void()> fn) = 0;

  // --- response: respond() once, or start_stream() + send_chunk()* + finish_stream() ---
  // Safe from any thread: on the executor they act at once (no hop on the hot path), from
  // anywhere else they are posted to it.
  void respond(Response response);
  void start_stream(int status, Headers headers, std::string content_type);
  void send_chunk(std::string data);
  void finish_stream();
  // Ends a started stream as *incomplete*: the connection is closed after what was already sent,
  // without the end of the chunked body, so the client's HTTP library reports a truncated
  // response instead of a complete one. For bytes relayed as they are (pass-through, audio),
  // where the gateway cannot append an error event the client would understand.
  void abort_stream();
  // The client closed its connection before the response was complete (any thread).
  virtual bool client_gone() const = 0;
  // `callback` runs once, on the executor, if the client goes away before the response ends
  // (at once when it already has).
  void on_client_gone(std::function<void()> callback);

  // --- annotations for the access log: who called (never a secret: alias or hash prefix) ---
  // On the executor: the access log reads it there.
  void set_caller(std::string caller) { caller_ = std::move(caller); }
  const std::string& caller() const { return caller_; }

  void set_params(std::vector<std::pair<std::string, std::string>> params) { params_ = std::move(params); }

 protected:
  // The same operations, called on the executor only.
  virtual void respond_here(Response response) = 0;
  virtual void start_stream_here(int status, Headers headers, std::string content_type) = 0;
  virtual void send_chunk_here(std::string data) = 0;
  virtual void finish_stream_here() = 0;
  virtual void abort_stream_here() = 0;
  virtual void on_client_gone_here(std::function<void()> callback) = 0;

  Method method_ = Method::unknown;
  std::string path_;
  std::string query_;
  std::string body_;
  std::string request_id_;
  std::string remote_address_;
  std::chrono::steady_clock::time_point received_at_ = std::chrono::steady_clock::now();
  std::string caller_;
  std::vector<std::pair<std::string, std::string>> params_;
};

using ExchangePtr = std::shared_ptr<Exchange>;

// Convenience for the common case.
inline void respond_error(const ExchangePtr& exchange, const core::ApiError& error) {
  exchange->respond(error_response(error));
}

// Binds a continuation to the exchange's executor, as asio's bind_executor does for asio's own
// completions: whichever thread calls the result (a store thread after a lookup, an actor after
// a budget load), `fn` runs on the executor: inline when the caller is already there (a cache
// hit, a loaded budget: no hop), else posted with its arguments. The result is called once.
template <class Fn>
auto bind_executor(ExchangePtr exchange, Fn fn) {
  return [exchange = std::move(exchange), fn = std::move(fn)](auto&&... args) mutable {
    if (exchange->running_on_executor()) {
      fn(std::forward<decltype(args)>(args)...);
      return;
    }
    auto& target = *exchange;
    // The exchange travels along, so that its last reference drops on its own executor.
    target.post([exchange = std::move(exchange), fn = std::move(fn),
                 args = std::make_tuple(std::decay_t<decltype(args)>(
                     std::forward<decltype(args)>(args))...)]() mutable { std::apply(fn, std::move(args)); });
  };
}

}  // namespace tollgate::http
