#include "http/client.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>

#include "http/head_writer.h"
#include "http/io_threads.h"
#include "http/upstream_response_parser.h"
#include "telemetry/log.h"
#include "telemetry/overload_metrics.h"

namespace tollgate::http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string_view client_error_name(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::connect: return "connect_error";
    case ClientErrorKind::tls: return "tls_error";
    case ClientErrorKind::timeout: return "timeout";
    case ClientErrorKind::reset: return "connection_reset";
    case ClientErrorKind::protocol: return "protocol_error";
    case ClientErrorKind::cancelled: return "cancelled";
    case ClientErrorKind::blocked: return "ssrf_blocked";
    case ClientErrorKind::overloaded: return "gateway_overloaded";
  }
  return "error";
}

namespace {

core::IpAddress from_asio(const net::ip::address& address) {
  core::IpAddress out;
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  } else {
    out.v6 = true;
    const auto bytes = address.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  }
  return out;
}

net::ip::address to_asio(const core::IpAddress& address) {
  if (!address.v6) {
    return net::ip::address_v4(
        net::ip::address_v4::bytes_type{address.bytes[0], address.bytes[1], address.bytes[2], address.bytes[3]});
  }
  net::ip::address_v6::bytes_type bytes;
  std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
  return net::ip::address_v6(bytes);
}

// One TCP (or TLS) connection to an upstream; used by one call at a time.
class Connection {
 public:
  Connection(net::io_context& ioc, ssl::context* tls, const UpstreamUrl& url, std::string pool_key)
      : socket_(ioc), url_(url), pool_key_(std::move(pool_key)) {
    if (url.tls && tls) {
      ssl_ = std::make_unique<ssl::stream<tcp::socket&>>(socket_, *tls);
    }
  }

  template <class Fn>
  void with_stream(Fn&& fn) {
    if (ssl_) {
      fn(*ssl_);
    } else {
      fn(socket_);
    }
  }

  tcp::socket& socket() { return socket_; }
  ssl::stream<tcp::socket&>* tls() { return ssl_.get(); }
  const UpstreamUrl& url() const { return url_; }
  const std::string& pool_key() const { return pool_key_; }
  beast::flat_buffer& buffer() { return buffer_; }
  bool reused = false;
  Clock::time_point idle_since{};

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  tcp::socket socket_;
  std::unique_ptr<ssl::stream<tcp::socket&>> ssl_;
  UpstreamUrl url_;
  std::string pool_key_;
  beast::flat_buffer buffer_;
};

using ConnectionPtr = std::unique_ptr<Connection>;

// Idle connections of one I/O thread, by upstream. Touched only by that thread.
struct ThreadPool {
  std::unordered_map<std::string, std::deque<ConnectionPtr>> idle;
};

}  // namespace

struct HttpClient::Impl {
  Impl(IoThreads& io, ClientOptions opts) : io(io), options(std::move(opts)), tls(ssl::context::tls_client) {
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls.set_default_verify_paths();
    if (!options.extra_ca_file.empty()) {
      tls.load_verify_file(options.extra_ca_file);
    }
    tls.set_verify_mode(options.verify_tls ? ssl::verify_peer : ssl::verify_none);
    for (int i = 0; i < io.size(); ++i) {
      pools.emplace(&io.context(i), std::make_unique<ThreadPool>());
    }
  }

  ThreadPool& pool_for(net::io_context& ctx) { return *pools.at(&ctx); }

  ConnectionPtr take_idle(net::io_context& ctx, const std::string& pool_key) {
    auto& list = pool_for(ctx).idle[pool_key];
    const auto now = Clock::now();
    while (!list.empty()) {
      ConnectionPtr conn = std::move(list.back());
      list.pop_back();
      if (now - conn->idle_since < options.pool_idle_timeout && conn->socket().is_open()) {
        conn->reused = true;
        return conn;
      }
      conn->close();
    }
    return nullptr;
  }

  void give_back(net::io_context& ctx, ConnectionPtr conn) {
    auto& list = pool_for(ctx).idle[conn->pool_key()];
    if (list.size() >= options.max_idle_per_upstream) {
      conn->close();
      return;
    }
    conn->idle_since = Clock::now();
    list.push_back(std::move(conn));
  }

  // A slot for one new connection (the counter the call gives back to); null (and counted) when
  // max_pending_connects are taken. The call holds the counter itself: a call the io_context
  // destroys at shutdown may outlive the client.
  std::shared_ptr<std::atomic<std::size_t>> reserve_connect() {
    if (connecting->fetch_add(1, std::memory_order_relaxed) < options.max_pending_connects) return connecting;
    connecting->fetch_sub(1, std::memory_order_relaxed);
    if (options.overload) options.overload->shed(telemetry::ShedReason::upstream_connects);
    return nullptr;
  }

  IoThreads& io;
  ClientOptions options;
  // New connections not yet connected, all threads.
  std::shared_ptr<std::atomic<std::size_t>> connecting = std::make_shared<std::atomic<std::size_t>>(0);
  ssl::context tls;
  std::unordered_map<net::io_context*, std::unique_ptr<ThreadPool>> pools;
};

namespace {

// One request/response exchange with an upstream, from getting a connection to giving it back.
class Call : public OutboundCall, public std::enable_shared_from_this<Call> {
 public:
  Call(HttpClient::Impl& client, net::io_context& ctx, UpstreamUrl url, OutboundRequest request,
       std::shared_ptr<ResponseSink> sink)
      : client_(client),
        ctx_(ctx),
        url_(std::move(url)),
        request_(std::move(request)),
        sink_(std::move(sink)),
        timer_(ctx),
        // Guarded calls keep a pool of their own: a connection an unguarded call opened was
        // never checked.
        pool_key_(request_.guard ? url_.pool_key() + ":guarded" : url_.pool_key()) {}

  ~Call() override { end_connect(); }

  void start() {
    if (!serialize_head()) {
      // Posted: the sink hears nothing before send() has returned the call.
      net::post(ctx_, [self = shared_from_this()] {
        self->fail(ClientErrorKind::protocol,
                   "the request target has characters HTTP does not allow in a request line");
      });
      return;
    }
    acquire();
  }

  void cancel() override {
    net::post(ctx_, [self = shared_from_this()] { self->abort(); });
  }

 private:
  // False when the request line cannot be written. A refused header is left out and named in
  // a warning (never its value: it may be a credential).
  bool serialize_head() {
    head_.reserve(256 + request_.target.size());
    HeadWriter head(head_);
    const std::string_view target = request_.target.empty() ? std::string_view("/") : request_.target;
    if (!head.request_line(method_name(request_.method), target)) {
      return false;
    }
    head.field("host", url_.host_header());
    head.content_length(request_.body.size());
    for (const auto& h : request_.headers) {
      if (!head.field(h.name, h.value)) {
        telemetry::log_warn("upstream_header_refused",
                            {{"header", is_field_name(h.name) ? std::string_view(h.name) : "(invalid name)"},
                             {"upstream", url_.host_header()},
                             {"reason", "a header name must be a token and a value must not hold CR, LF or NUL"}});
      }
    }
    head.end();
    return true;
  }

  void acquire() {
    // A retry never takes another idle connection: the upstream that closed one while it was
    // idle (Node's and uvicorn's 5 s keep-alive) has usually closed its older siblings too.
    if (!retried_) conn_ = client_.take_idle(ctx_, pool_key_);
    if (conn_) {
      write_request();
      return;
    }
    // Bounded: an upstream that stops accepting would otherwise collect a connect (a socket
    // and a timer) per request until each times out.
    connect_slot_ = client_.reserve_connect();
    if (!connect_slot_) {
      refuse_later(ClientErrorKind::overloaded, "too many upstream connections are being opened (" +
                                                    std::to_string(client_.options.max_pending_connects) + ")");
      return;
    }
    conn_ = std::make_unique<Connection>(ctx_, url_.tls ? &client_.tls : nullptr, url_, pool_key_);
    arm(client_.options.connect_timeout, ClientErrorKind::connect);
    // A literal address needs no lookup: asio resolves on a background thread, two thread
    // hops per new connection.
    boost::system::error_code literal_error;
    const auto address = net::ip::make_address(url_.host, literal_error);
    if (!literal_error) {
      connect_checked({tcp::endpoint(address, url_.port)});
      return;
    }
    if (request_.guard && request_.guard->resolver) {
      connect_checked(resolve_in_memory(*request_.guard->resolver));
      return;
    }
    if (!resolver_) resolver_.emplace(ctx_);
    resolver_->async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type results) {
          self->on_resolved(ec, std::move(results));
        });
  }

  // The guard's own resolver (one that answers from memory, see http/outbound_guard.h).
  std::vector<tcp::endpoint> resolve_in_memory(const HostResolver& resolver) {
    std::vector<tcp::endpoint> endpoints;
    const auto resolution = resolver.resolve(url_.host);
    for (const auto& address : resolution.addresses) endpoints.emplace_back(to_asio(address), url_.port);
    if (endpoints.empty()) {
      refuse_later(ClientErrorKind::connect,
                   "cannot resolve " + url_.host + ": " + (resolution.error.empty() ? "no address" : resolution.error));
    }
    return endpoints;
  }

  void on_resolved(boost::system::error_code ec, tcp::resolver::results_type results) {
    if (done_) return;
    if (ec) {
      fail(ClientErrorKind::connect, "cannot resolve " + url_.host + ": " + ec.message());
      return;
    }
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    connect_checked(std::move(endpoints));
  }

  // Connects to the first endpoint that answers, and only to these: with a guard, every one
  // of them passed it first (any refused address refuses the call: the lookup is suspect).
  void connect_checked(std::vector<tcp::endpoint> endpoints) {
    if (done_ || endpoints.empty()) return;
    if (request_.guard) {
      for (const auto& endpoint : endpoints) {
        const auto verdict = core::check_address(request_.guard->policy, from_asio(endpoint.address()));
        if (!verdict.allowed) {
          refuse_later(ClientErrorKind::blocked, "refused to connect to " + url_.host_header() + ": " + verdict.reason);
          return;
        }
      }
    }
    endpoints_ = std::move(endpoints);
    net::async_connect(
        conn_->socket(), endpoints_,
        [self = shared_from_this()](boost::system::error_code ec, const tcp::endpoint&) { self->on_connected(ec); });
  }

  // Posted: acquire() may run inside send(), and the sink hears nothing before it returned.
  void refuse_later(ClientErrorKind kind, std::string message) {
    net::post(ctx_, [self = shared_from_this(), kind, message = std::move(message)] { self->fail(kind, message); });
  }

  void on_connected(boost::system::error_code ec) {
    end_connect();
    if (done_) return;
    if (ec) {
      fail(ClientErrorKind::connect, "cannot connect to " + url_.host_header() + ": " + ec.message());
      return;
    }
    boost::system::error_code ignored;
    conn_->socket().set_option(tcp::no_delay(true), ignored);
    if (auto* tls = conn_->tls()) {
      if (!SSL_set_tlsext_host_name(tls->native_handle(), url_.host.c_str())) {
        fail(ClientErrorKind::tls, "cannot set TLS server name");
        return;
      }
      tls->set_verify_callback(ssl::host_name_verification(url_.host));
      tls->async_handshake(ssl::stream_base::client, [self = shared_from_this()](boost::system::error_code ec) {
        if (self->done_) return;
        if (ec) {
          self->fail(ClientErrorKind::tls,
                     "TLS handshake with " + self->url_.host_header() + " failed: " + ec.message());
          return;
        }
        self->write_request();
      });
      return;
    }
    write_request();
  }

  void write_request() {
    arm(request_.first_byte_timeout, ClientErrorKind::timeout);
    const std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(request_.body)};
    conn_->with_stream([&](auto& stream) {
      net::async_write(stream, buffers, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        self->on_written(ec);
      });
    });
  }

  void on_written(boost::system::error_code ec) {
    if (done_) return;
    if (ec) {
      retry_or_fail(ClientErrorKind::reset, "write to upstream failed: " + ec.message());
      return;
    }
    parser_.emplace();
    parser_->body_limit(std::uint64_t{1} << 32);  // the call enforces its own limits on buffered bodies
    parser_->header_limit(64 * 1024);
    conn_->with_stream([&](auto& stream) {
      bhttp::async_read_header(
          stream, conn_->buffer(), *parser_,
          [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_head(ec); });
    });
  }

  void on_head(boost::system::error_code ec) {
    if (done_) return;
    if (ec) {
      retry_or_fail(ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset
                        ? ClientErrorKind::reset
                        : ClientErrorKind::protocol,
                    "reading the upstream response head failed: " + ec.message());
      return;
    }
    got_head_ = true;
    keep_alive_ = parser_->keep_alive();
    arm(request_.idle_timeout, ClientErrorKind::timeout);
    auto sink = sink_;
    sink->on_head(parser_->status(), parser_->headers());
    if (done_) return;
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) {
      complete();
      return;
    }
    if (!chunk_) {
      // Sized to the body when the upstream says how long it is: a 500-byte chat answer does
      // not need 16 KiB held for the whole call (at 256 calls in flight, 4 MiB of the RSS).
      const auto length = parser_->content_length();
      chunk_size_ = length ? static_cast<std::size_t>(std::clamp<std::uint64_t>(*length, 1, kMaxChunk)) : kMaxChunk;
      chunk_ = std::make_unique<char[]>(chunk_size_);
    }
    parser_->body_buffer(chunk_.get(), chunk_size_);
    conn_->with_stream([&](auto& stream) {
      bhttp::async_read_some(
          stream, conn_->buffer(), *parser_,
          [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->on_body(ec); });
    });
  }

  void on_body(boost::system::error_code ec) {
    if (done_) return;
    if (ec == bhttp::error::need_buffer) ec = {};
    const std::size_t bytes = chunk_size_ - parser_->body_left();
    if (ec && !(ec == bhttp::error::end_of_stream && parser_->is_done())) {
      if (bytes > 0) sink_->on_data(std::string_view(chunk_.get(), bytes));
      if (done_) return;
      fail(ClientErrorKind::reset, "upstream connection broke mid-response: " + ec.message());
      return;
    }
    if (bytes > 0) {
      arm(request_.idle_timeout, ClientErrorKind::timeout);
      auto sink = sink_;
      sink->on_data(std::string_view(chunk_.get(), bytes));
      if (done_) return;
    }
    read_body();
  }

  void complete() {
    done_ = true;
    timer_.cancel();
    if (keep_alive_ && conn_) {
      conn_->reused = false;
      client_.give_back(ctx_, std::move(conn_));
    } else if (conn_) {
      conn_->close();
    }
    auto sink = std::move(sink_);
    sink->on_complete();
  }

  // A reused keep-alive connection may have been closed by the upstream while idle: retry
  // once on a new connection when nothing of the response has been seen.
  void retry_or_fail(ClientErrorKind kind, const std::string& message) {
    if (conn_ && conn_->reused && !got_head_ && !retried_) {
      retried_ = true;
      retire_connection();
      parser_.reset();
      timer_.cancel();
      acquire();
      return;
    }
    fail(kind, message);
  }

  void end_connect() {
    if (!connect_slot_) return;
    connect_slot_->fetch_sub(1, std::memory_order_relaxed);
    connect_slot_.reset();
  }

  void fail(ClientErrorKind kind, const std::string& message) {
    if (done_) return;
    done_ = true;
    end_connect();
    timer_.cancel();
    if (resolver_) resolver_->cancel();
    retire_connection();
    auto sink = std::move(sink_);
    sink->on_error(kind, message);
  }

  void abort() {
    if (done_) return;
    done_ = true;
    end_connect();
    timer_.cancel();
    if (resolver_) resolver_->cancel();
    retire_connection();  // never reuse a connection with a half-read response
    sink_.reset();
  }

  // Closes the connection for good. The object itself must outlive any operation still
  // pending on it (a read completing with operation_aborted still touches its buffer), so it
  // stays with this call until the call's last handler has run.
  void retire_connection() {
    if (!conn_) return;
    conn_->close();
    retired_ = std::move(conn_);
  }

  void arm(std::chrono::milliseconds after, ClientErrorKind kind) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this(), kind](boost::system::error_code ec) {
      if (ec || self->done_) return;
      self->fail(kind, kind == ClientErrorKind::connect ? "connecting to the upstream timed out"
                                                        : "the upstream did not answer in time");
    });
  }

  HttpClient::Impl& client_;
  net::io_context& ctx_;
  UpstreamUrl url_;
  OutboundRequest request_;
  std::shared_ptr<ResponseSink> sink_;
  net::steady_timer timer_;
  std::optional<tcp::resolver> resolver_;  // only for host names
  std::string pool_key_;
  std::vector<tcp::endpoint> endpoints_;  // what connect_checked() is connecting to
  ConnectionPtr conn_;
  ConnectionPtr retired_;
  std::string head_;
  std::optional<UpstreamResponseParser> parser_;
  // The body's read buffer, allocated at the first body read (read_body).
  static constexpr std::size_t kMaxChunk = 16 * 1024;
  std::unique_ptr<char[]> chunk_;
  std::size_t chunk_size_ = 0;
  bool done_ = false;
  bool got_head_ = false;
  bool keep_alive_ = false;
  bool retried_ = false;
  // One of the client's pending-connect slots while connecting (the counter, shared).
  std::shared_ptr<std::atomic<std::size_t>> connect_slot_;
};

}  // namespace

HttpClient::HttpClient(IoThreads& io, ClientOptions options) : impl_(std::make_unique<Impl>(io, std::move(options))) {}

HttpClient::~HttpClient() = default;

std::shared_ptr<OutboundCall> HttpClient::send(const UpstreamUrl& upstream, OutboundRequest request,
                                               std::shared_ptr<ResponseSink> sink) {
  net::io_context* ctx = impl_->io.current();
  const bool on_io_thread = ctx != nullptr;
  if (!on_io_thread) ctx = &impl_->io.next();
  auto call = std::make_shared<Call>(*impl_, *ctx, upstream, std::move(request), std::move(sink));
  if (on_io_thread) {
    call->start();
  } else {
    net::post(*ctx, [call] { call->start(); });
  }
  return call;
}

IoThreads& HttpClient::io() { return impl_->io; }

}  // namespace tollgate::http
