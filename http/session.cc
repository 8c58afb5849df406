#include "http/session.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "core/request_id.h"
#include "http/head_writer.h"
#include "http/loop_load.h"
#include "http/overloaded_reply.h"
#include "http/router.h"
#include "telemetry/http_metrics.h"
#include "telemetry/log.h"
#include "telemetry/overload_metrics.h"

namespace tollgate::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// What a read between requests (and while one is handled) asks the socket for at least: the
// buffer is held for the connection's life, and a chat request's head and body usually fit in
// 1 KiB. A larger request grows the buffer as Beast reads it, and the grown buffer stays
// (flat_buffer keeps its capacity) and is offered whole to the next read, so only a connection's
// first large request pays extra reads; at 256 connections, 1 KiB instead of 4 KiB each is
// ~0.75 MiB of RSS.
constexpr std::size_t kReadChunk = 1024;
// A declared body is read in one read when it fits this (the buffer is reserved for it):
// read a window at a time, a 4 KB chat request took five reads and five turns of the event loop,
// each behind every other ready connection (bench/overload). A larger body is read in windows of
// this size.
constexpr std::size_t kBodyReadReserve = 1 << 20;
// What a connection keeps of a buffer grown for a large body once it is idle again.
constexpr std::size_t kKeptReadBuffer = 64 * 1024;

// ---------------------------------------------------------------- SessionExchange

SessionExchange::SessionExchange(std::shared_ptr<Session> session, bhttp::request<bhttp::string_body> request,
                                 std::string remote_address)
    : session_(std::move(session)), executor_(session_->executor()), request_(std::move(request)) {
  method_ = parse_method(std::string_view(request_.method_string().data(), request_.method_string().size()));
  const auto target = request_.target();
  const std::string_view t(target.data(), target.size());
  const auto question = t.find('?');
  path_ = std::string(t.substr(0, question));
  if (question != std::string_view::npos) {
    query_ = std::string(t.substr(question + 1));
  }
  body_ = std::move(request_.body());
  remote_address_ = std::move(remote_address);
  received_at_ = std::chrono::steady_clock::now();
  request_id_ = core::choose_request_id(header("x-request-id"));
}

std::string_view SessionExchange::header(std::string_view name) const {
  const auto it = request_.find(beast::string_view(name.data(), name.size()));
  if (it == request_.end()) {
    return {};
  }
  return {it->value().data(), it->value().size()};
}

void SessionExchange::post(std::function<void()> fn) { net::post(executor_, std::move(fn)); }

void SessionExchange::respond_here(Response response) {
  if (answered_) {
    return;  // first answer wins
  }
  answered_ = true;
  finished_ = true;
  session_->write_response(std::move(response));
}

void SessionExchange::start_stream_here(int status, Headers headers, std::string content_type) {
  if (answered_) {
    return;
  }
  answered_ = true;
  session_->write_stream_head(status, std::move(headers), content_type);
}

void SessionExchange::send_chunk_here(std::string data) {
  if (finished_ || data.empty()) {
    return;
  }
  session_->write_stream_chunk(data);
}

void SessionExchange::finish_stream_here() {
  if (finished_) {
    return;
  }
  finished_ = true;
  session_->write_stream_end();
}

void SessionExchange::abort_stream_here() {
  if (finished_) {
    return;
  }
  finished_ = true;
  session_->abort_stream();
}

void SessionExchange::on_client_gone_here(std::function<void()> callback) {
  if (gone_.load(std::memory_order_relaxed)) {
    if (callback) {
      callback();
    }
    return;
  }
  gone_callback_ = std::move(callback);
}

void SessionExchange::mark_client_gone() {
  if (gone_.exchange(true, std::memory_order_acq_rel)) {
    return;
  }
  auto callback = std::move(gone_callback_);
  gone_callback_ = nullptr;
  if (callback) {
    callback();
  }
}

// ---------------------------------------------------------------- Session

Session::Session(tcp::socket socket, Executor executor, std::shared_ptr<SessionShared> shared)
    : socket_(std::move(socket)), executor_(executor), shared_(std::move(shared)), timer_(socket_.get_executor()) {
  boost::system::error_code ec;
  const auto endpoint = socket_.remote_endpoint(ec);
  if (!ec) {
    remote_address_ = endpoint.address().to_string();
  }
  socket_.set_option(tcp::no_delay(true), ec);
}

Session::~Session() { shared_->connections.fetch_sub(1, std::memory_order_relaxed); }

void Session::start() { read_request(); }

void Session::read_request() {
  if (phase_ == Phase::closed) {
    return;
  }
  phase_ = Phase::reading;
  if (shared_->draining.load()) {
    close();
    return;
  }
  if (buffer_.size() == 0 && !first_request_) {
    if (buffer_.capacity() > kKeptReadBuffer) buffer_.shrink_to_fit();
    wait_for_data();
    return;
  }
  read_header();
}

void Session::wait_for_data() {
  // Between keep-alive requests the client may stay silent up to idle_timeout; once bytes
  // arrive the (shorter) header timeout applies.
  set_deadline(shared_->options.idle_timeout);
  monitor_pending_ = true;
  socket_.async_read_some(
      buffer_.prepare(std::max(kReadChunk, buffer_.capacity() - buffer_.size())),
      [self = shared_from_this()](boost::system::error_code ec, std::size_t n) { self->on_monitor(ec, n); });
}

void Session::read_header() {
  parser_.emplace();
  parser_->body_limit(shared_->options.max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
  set_deadline(shared_->options.header_timeout);
  bhttp::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(boost::system::error_code ec) {
  if (phase_ == Phase::closed) {
    return;
  }
  first_request_ = false;
  if (ec) {
    fail_read(ec);
    return;
  }
  const auto& request = parser_->get();
  if (const auto length = parser_->content_length(); length && *length > shared_->options.max_body_bytes) {
    reject(413, core::payload_too_large(shared_->options.max_body_bytes));
    return;
  }
  set_deadline(shared_->options.idle_timeout);
  if (const auto length = parser_->content_length(); length && buffer_.size() < *length) {
    // With room for the next request's head as well: a client's next request is usually like
    // this one, and then arrives in one read too.
    buffer_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*length + kReadChunk, kBodyReadReserve)));
  }
  const auto expect = request[bhttp::field::expect];
  if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(socket_, net::buffer(kContinue),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (ec) {
                         self->close();
                         return;
                       }
                       bhttp::async_read(self->socket_, self->buffer_, *self->parser_,
                                         [self](boost::system::error_code ec2, std::size_t) { self->on_body(ec2); });
                     });
    return;
  }
  if (parser_->is_done()) {
    on_body({});
    return;
  }
  bhttp::async_read(socket_, buffer_, *parser_,
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(boost::system::error_code ec) {
  if (phase_ == Phase::closed) {
    return;
  }
  if (ec) {
    fail_read(ec);
    return;
  }
  handle_request();
}

void Session::fail_read(boost::system::error_code ec) {
  // Head and body alike: every framing error the parser reports is the client's, answered
  // before closing; only a connection that is already gone is closed without a word.
  if (ec == bhttp::error::header_limit) {
    reject(431, core::headers_too_large());
    return;
  }
  if (ec == bhttp::error::body_limit) {  // a declared Content-Length or the chunks over the limit
    reject(413, core::payload_too_large(shared_->options.max_body_bytes));
    return;
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == net::error::eof ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset || ec == net::error::broken_pipe) {
    close();
    return;
  }
  reject(400, core::bad_request("Malformed HTTP request: " + ec.message()));
}

void Session::handle_request() {
  const auto in_flight = shared_->in_flight.fetch_add(1, std::memory_order_relaxed);
  const auto target = parser_->get().target();
  if (const auto reason = shed_reason(in_flight, std::string_view(target.data(), target.size()))) {
    shared_->in_flight.fetch_sub(1, std::memory_order_relaxed);
    refuse_overloaded(*reason);
    return;
  }
  phase_ = Phase::handling;
  clear_deadline();
  request_start_ = Clock::now();
  response_status_ = 0;
  streaming_ = false;
  stream_ended_ = false;
  if (shared_->metrics) {
    shared_->metrics->request_started();
  }
  current_ = std::make_shared<SessionExchange>(shared_from_this(), parser_->release(), remote_address_);
  keep_alive_ = current_->keep_alive();
  parser_.reset();
  dispatch(current_);
  if (phase_ == Phase::handling && !monitor_pending_) {
    start_monitor();
  }
}

void Session::dispatch(const std::shared_ptr<SessionExchange>& exchange) {
  try {
    shared_->router->dispatch(exchange, [&exchange](std::string_view pattern, int metrics_index) {
      exchange->set_route(pattern, metrics_index);
    });
  } catch (const std::exception& e) {
    telemetry::log_error("handler_exception", {{"request_id", exchange->request_id()}, {"error", e.what()}});
    exchange->respond(error_response(core::internal_error("Internal error")));
  }
}

void Session::refuse_overloaded(telemetry::ShedReason reason) {
  if (shared_->options.overload) shared_->options.overload->shed(reason);
  keep_alive_ = parser_->get().keep_alive() && !shared_->draining.load();
  parser_.reset();
  close_after_write_ = !keep_alive_;
  phase_ = Phase::writing;
  response_status_ = 503;
  outbox_ += overloaded_reply(reason, close_after_write_);
  flush_output();
}

// Probes and scrapes are never shed: they are what shows the overload (and they cost little).
std::optional<telemetry::ShedReason> Session::shed_reason(std::size_t others_in_flight, std::string_view target) const {
  if (target.rfind("/health", 0) == 0 || target.rfind("/metrics", 0) == 0) return std::nullopt;
  const auto bound = shared_->options.max_in_flight_requests;
  if (bound != 0 && others_in_flight >= bound) return telemetry::ShedReason::in_flight;
  if (loop_sheds_here()) {
    return telemetry::ShedReason::queue_delay;
  }
  return std::nullopt;
}

void Session::start_monitor() {
  // While the handler works we keep one read open: it reports a client that hangs up (so the
  // upstream call can be cancelled) and buffers a pipelined next request.
  monitor_pending_ = true;
  socket_.async_read_some(
      buffer_.prepare(std::max(kReadChunk, buffer_.capacity() - buffer_.size())),
      [self = shared_from_this()](boost::system::error_code ec, std::size_t n) { self->on_monitor(ec, n); });
}

void Session::on_monitor(boost::system::error_code ec, std::size_t bytes) {
  monitor_pending_ = false;
  if (ec) {
    if (current_) {
      current_->mark_client_gone();
    }
    close();
    return;
  }
  buffer_.commit(bytes);
  if (phase_ == Phase::reading) {
    read_header();
  }
  // Otherwise a response is still being produced; the data waits in buffer_.
}

void Session::reject(int status, const core::ApiError& error) {
  // Protocol-level rejections happen before a handler exists: answer and close.
  keep_alive_ = false;
  close_after_write_ = true;
  phase_ = Phase::writing;
  response_status_ = status;
  request_start_ = Clock::now();
  const Response response = error_response(error);
  Headers headers = response.headers;
  const std::string request_id = core::generate_request_id();
  headers.push_back({"x-request-id", request_id});
  append_head(status, headers, response.content_type, response.body.size(), false);
  outbox_ += response.body;
  telemetry::log_info(
      "http_rejected",
      {{"status", status}, {"reason", error.message}, {"request_id", request_id}, {"remote", remote_address_}});
  flush_output();
}

void Session::append_head(int status, const Headers& headers, std::string_view content_type, std::size_t content_length,
                          bool chunked) {
  HeadWriter head(outbox_);
  head.status_line(status);
  head.field("content-type", content_type);
  if (chunked) {
    head.chunked();
    head.field("cache-control", "no-cache");
  } else {
    head.content_length(content_length);
  }
  if (current_) {
    head.field("x-request-id", current_->request_id());
  }
  for (const auto& header : headers) {
    head.field(header.name, header.value);  // a refused field is left out: never split the response
  }
  if (!keep_alive_ || shared_->draining.load()) {
    close_after_write_ = true;
    head.field("connection", "close");
  }
  head.end();
}

void Session::write_response(Response response) {
  if (phase_ != Phase::handling) {
    return;
  }
  phase_ = Phase::writing;
  response_status_ = response.status;
  append_head(response.status, response.headers, response.content_type, response.body.size(), false);
  outbox_ += response.body;
  // Counted when handed to the socket, so a client that reads the answer and then scrapes
  // /metrics always sees its own request.
  finish_request();
  flush_output();
}

void Session::write_stream_head(int status, Headers headers, const std::string& content_type) {
  if (phase_ != Phase::handling) {
    return;
  }
  phase_ = Phase::writing;
  streaming_ = true;
  response_status_ = status;
  append_head(status, headers, content_type, 0, true);
  flush_output();
}

void Session::write_stream_chunk(const std::string& data) {
  if (phase_ != Phase::writing || !streaming_ || stream_ended_) {
    return;
  }
  append_chunk(outbox_, data);
  flush_output();
}

void Session::write_stream_end() {
  if (phase_ == Phase::handling) {
    // finish without a head: the handler streamed nothing; answer an empty 200 stream
    write_stream_head(200, {}, "text/event-stream");
  }
  if (phase_ != Phase::writing || !streaming_ || stream_ended_) {
    return;
  }
  stream_ended_ = true;
  append_last_chunk(outbox_);
  finish_request();
  flush_output();
}

void Session::abort_stream() {
  if (phase_ != Phase::writing || !streaming_ || stream_ended_) {
    return;
  }
  stream_ended_ = true;  // but no last chunk: the body stays incomplete
  close_after_write_ = true;
  finish_request();
  if (!write_in_progress_ && outbox_.empty()) {
    close();
    return;
  }
  flush_output();  // what was sent before the failure still reaches the client, then close
}

void Session::flush_output() {
  if (write_in_progress_ || outbox_.empty() || phase_ == Phase::closed) {
    return;
  }
  write_in_progress_ = true;
  writing_.clear();
  writing_.swap(outbox_);
  set_deadline(shared_->options.idle_timeout);
  net::async_write(socket_, net::buffer(writing_),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_written(ec); });
}

void Session::on_written(boost::system::error_code ec) {
  write_in_progress_ = false;
  if (ec) {
    if (current_) {
      current_->mark_client_gone();
    }
    if (response_status_ != 0 && current_) {
      finish_request();
    }
    close();
    return;
  }
  if (!outbox_.empty()) {
    flush_output();
    return;
  }
  if (streaming_ && !stream_ended_) {
    clear_deadline();  // waiting for the next chunk from the handler
    return;
  }
  if (close_after_write_) {
    close();
    return;
  }
  phase_ = Phase::reading;
  if (!monitor_pending_) {
    read_request();
  } else {
    set_deadline(shared_->options.idle_timeout);
  }
}

void Session::finish_request() {
  const auto exchange = std::move(current_);
  current_.reset();
  shared_->in_flight.fetch_sub(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(Clock::now() - request_start_).count();
  if (shared_->metrics) {
    shared_->metrics->request_finished(exchange->metrics_index(), response_status_, seconds);
  }
  auto& logger = telemetry::Logger::instance();
  if (logger.enabled(telemetry::LogLevel::info)) {
    logger.write(telemetry::LogLevel::info, "http_request",
                 {{"request_id", exchange->request_id()},
                  {"method", method_name(exchange->method())},
                  {"route", exchange->route_pattern()},
                  {"status", response_status_},
                  {"duration_ms", seconds * 1000.0},
                  {"caller", exchange->caller()},
                  {"remote", remote_address_},
                  {"client_gone", exchange->client_gone()}});
  }
}

void Session::close_if_idle() {
  if (phase_ == Phase::reading) {
    close();
  }
}

void Session::close() {
  if (phase_ == Phase::closed) {
    return;
  }
  phase_ = Phase::closed;
  if (current_) {
    // The client left (or the server cut it off) mid-request: 499 as nginx logs it.
    current_->mark_client_gone();
    if (response_status_ == 0) {
      response_status_ = 499;
    }
    finish_request();
  }
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  timer_.cancel();
}

void Session::set_deadline(std::chrono::milliseconds after) {
  deadline_ = Clock::now() + after;
  arm_timer();
}

void Session::clear_deadline() { deadline_ = Clock::time_point::max(); }

void Session::arm_timer() {
  // Lazy timer: re-arm only when the new deadline is earlier than the pending expiry; a timer
  // that fires early just re-arms for the current deadline. Saves a syscall per request.
  if (timer_armed_ && timer_expiry_ <= deadline_) {
    return;
  }
  timer_armed_ = true;
  timer_expiry_ = deadline_;
  timer_.expires_at(deadline_);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) { self->on_timer(ec); });
}

void Session::on_timer(boost::system::error_code ec) {
  if (ec == net::error::operation_aborted || phase_ == Phase::closed) {
    return;  // re-armed or closed
  }
  timer_armed_ = false;
  if (deadline_ == Clock::time_point::max()) {
    return;
  }
  if (Clock::now() >= deadline_) {
    telemetry::log_debug("http_timeout", {{"remote", remote_address_}});
    close();
    return;
  }
  arm_timer();
}

}  // namespace tollgate::http
