#pragma once
// One request and its response. Handlers receive a shared pointer, may answer at once or later
// from any thread (the answer is handed back to the connection's own thread), and may stream.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/method.h"
#include "http/response.h"

namespace tollgate::http {

class Exchange {
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
  std::optional<std::string> query_param(std::string_view name) const;

  // --- response: respond() once, or start_stream() + send_chunk()* + finish_stream() ---
  virtual void respond(Response response) = 0;
  virtual void start_stream(int status, Headers headers, std::string content_type) = 0;
  virtual void send_chunk(std::string data) = 0;
  virtual void finish_stream() = 0;
  // The client closed its connection before the response was complete.
  virtual bool client_gone() const = 0;
  // Called once (on the connection's thread) if the client goes away before the response ends.
  virtual void on_client_gone(std::function<void()> callback) = 0;

  // --- annotations for the access log: who called (never a secret: alias or hash prefix) ---
  void set_caller(std::string caller) { caller_ = std::move(caller); }
  const std::string& caller() const { return caller_; }

  void set_params(std::vector<std::pair<std::string, std::string>> params) {
    params_ = std::move(params);
  }

 protected:
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

}  // namespace tollgate::http
