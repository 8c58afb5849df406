#pragma once
// Internal to http/: one client connection. Not part of the public header set.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "http/exchange.h"
#include "http/server.h"
#include "telemetry/overload_metrics.h"

namespace tollgate::http {

class Router;

// What every session of one server shares.
struct SessionShared {
  ServerOptions options;
  const Router* router = nullptr;
  telemetry::HttpMetrics* metrics = nullptr;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> draining{false};
};

class SessionExchange;

class Session : public std::enable_shared_from_this<Session> {
 public:
  using tcp = boost::asio::ip::tcp;
  using Clock = std::chrono::steady_clock;

  using Executor = boost::asio::io_context::executor_type;

  // `executor` is the one the socket was accepted on: the session's whole life runs there.
  Session(tcp::socket socket, Executor executor, std::shared_ptr<SessionShared> shared);
  ~Session();

  void start();
  // Drain support (run on the session's own thread): close now if no request is in progress.
  void close_if_idle();
  void close();

  // Called by SessionExchange on the session's thread.
  void write_response(Response response);
  void write_stream_head(int status, Headers headers, const std::string& content_type);
  void write_stream_chunk(const std::string& data);
  void write_stream_end();
  void abort_stream();
  const Executor& executor() const { return executor_; }

 private:
  enum class Phase { reading, handling, writing, closed };

  void read_request();
  void wait_for_data();
  void read_header();
  void on_header(boost::system::error_code ec);
  void on_body(boost::system::error_code ec);
  void fail_read(boost::system::error_code ec);  // answer (4xx) or close, then stop reading
  void handle_request();
  void start_monitor();
  void dispatch(const std::shared_ptr<SessionExchange>& exchange);
  // Past max_in_flight_requests, or in the share a loop running behind refuses
  // (max_event_loop_delay): the bound that refuses this request, if any.
  std::optional<telemetry::ShedReason> shed_reason(std::size_t others_in_flight, std::string_view target) const;
  // Answers the request just read 503 gateway_overloaded with retry-after, counted, at the least
  // cost (http/overloaded_reply.h): no exchange, no handler, no log line.
  void refuse_overloaded(telemetry::ShedReason reason);
  void on_monitor(boost::system::error_code ec, std::size_t bytes);
  void reject(int status, const core::ApiError& error);  // answer and close
  void append_head(int status, const Headers& headers, std::string_view content_type, std::size_t content_length,
                   bool chunked);
  void flush_output();
  void on_written(boost::system::error_code ec);
  void finish_request();

  void set_deadline(std::chrono::milliseconds after);
  void clear_deadline();
  void arm_timer();
  void on_timer(boost::system::error_code ec);

  tcp::socket socket_;
  Executor executor_;
  std::shared_ptr<SessionShared> shared_;
  boost::asio::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timer_expiry_ = Clock::time_point::max();
  bool timer_armed_ = false;

  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Phase phase_ = Phase::reading;
  bool first_request_ = true;
  bool monitor_pending_ = false;
  bool keep_alive_ = true;
  bool close_after_write_ = false;

  std::shared_ptr<SessionExchange> current_;
  std::string remote_address_;
  Clock::time_point request_start_;
  int response_status_ = 0;
  bool streaming_ = false;
  bool stream_ended_ = false;

  std::string outbox_;   // bytes waiting for the write in progress to finish
  std::string writing_;  // bytes of the write in progress
  bool write_in_progress_ = false;
};

// The Exchange handed to handlers. Its state is confined to the session's executor (the base
// class posts there what other threads call), except `gone_`, which any thread may read.
class SessionExchange : public Exchange {
 public:
  SessionExchange(std::shared_ptr<Session> session,
                  boost::beast::http::request<boost::beast::http::string_body> request, std::string remote_address);

  std::string_view header(std::string_view name) const override;
  bool running_on_executor() const override { return executor_.running_in_this_thread(); }
  void post(std::function<void()> fn) override;
  bool client_gone() const override { return gone_.load(std::memory_order_acquire); }

  // Session side.
  void mark_client_gone();
  std::string_view route_pattern() const { return route_pattern_; }
  int metrics_index() const { return metrics_index_; }
  void set_route(std::string_view pattern, int metrics_index) {
    route_pattern_ = pattern;
    metrics_index_ = metrics_index;
  }
  bool keep_alive() const { return request_.keep_alive(); }

 protected:
  void respond_here(Response response) override;
  void start_stream_here(int status, Headers headers, std::string content_type) override;
  void send_chunk_here(std::string data) override;
  void finish_stream_here() override;
  void abort_stream_here() override;
  void on_client_gone_here(std::function<void()> callback) override;

 private:
  std::shared_ptr<Session> session_;
  Session::Executor executor_;
  boost::beast::http::request<boost::beast::http::string_body> request_;
  bool answered_ = false;  // respond() or start_stream() happened
  bool finished_ = false;
  std::atomic<bool> gone_{false};
  std::function<void()> gone_callback_;
  std::string_view route_pattern_ = "unmatched";
  int metrics_index_ = 0;
};

}  // namespace tollgate::http
