#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http/io_threads.h"
#include "http/loop_load.h"
#include "http/overloaded_reply.h"
#include "http/router.h"
#include "http/session.h"
#include "telemetry/log.h"
#include "telemetry/overload_metrics.h"

namespace tollgate::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Server::Impl {
  Impl(ServerOptions options, const Router& router, telemetry::HttpMetrics* metrics, IoThreads& io)
      : io(io), shared(std::make_shared<SessionShared>()), acceptor(io.context(0)) {
    shared->options = std::move(options);
    shared->router = &router;
    shared->metrics = metrics;
  }

  void accept_next() {
    auto& target = io.next();
    acceptor.async_accept(target, [this, &target](boost::system::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) {
          return;
        }
        telemetry::log_warn("accept_failed", {{"error", ec.message()}});
        accept_next();
        return;
      }
      on_accept(target, std::move(socket));
      accept_waiting();
      accept_next();
    });
  }

  // One accept per turn of thread 0's loop let a burst of new connections wait in the kernel's
  // backlog behind every other handler of that turn (the wait no bound sees, measured as most of
  // the admitted latency by bench/overload); take what already waits, up to a batch.
  void accept_waiting() {
    constexpr int kBatch = 64;
    for (int i = 0; i < kBatch; ++i) {
      auto& target = io.next();
      tcp::socket socket(target);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);  // the acceptor is non-blocking: would_block once it is empty
      if (ec) return;
      on_accept(target, std::move(socket));
    }
  }

  void on_accept(net::io_context& target, tcp::socket socket) {
    const auto open = shared->connections.fetch_add(1, std::memory_order_relaxed) + 1;
    if (open > shared->options.max_connections || shared->draining.load()) {
      shared->connections.fetch_sub(1, std::memory_order_relaxed);
      if (shared->options.overload) shared->options.overload->shed(telemetry::ShedReason::connections);
      refuse(std::move(socket));
      return;
    }
    net::post(target, [this, &target, socket = std::move(socket)]() mutable {
      auto session = std::make_shared<Session>(std::move(socket), target.get_executor(), shared);
      remember(session);
      session->start();
    });
  }

  void refuse(tcp::socket socket) {
    const auto reply = overloaded_reply(telemetry::ShedReason::connections, true);
    auto holder = std::make_shared<tcp::socket>(std::move(socket));
    net::async_write(*holder, net::buffer(reply.data(), reply.size()),
                     [holder](boost::system::error_code, std::size_t) {
                       boost::system::error_code ignored;
                       holder->shutdown(tcp::socket::shutdown_both, ignored);
                       holder->close(ignored);
                     });
  }

  void remember(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(sessions_mutex);
    // Prune dead entries now and then so the list tracks live connections.
    if (++remembered % 1024 == 0) {
      sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
    }
    sessions.push_back(session);
  }

  void for_each_session(void (Session::*action)()) {
    std::lock_guard lock(sessions_mutex);
    for (auto& weak : sessions) {
      if (auto session = weak.lock()) {
        net::post(session->executor(), [session, action] { (session.get()->*action)(); });
      }
    }
  }

  IoThreads& io;
  std::shared_ptr<SessionShared> shared;
  tcp::acceptor acceptor;
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<Session>> sessions;
  std::size_t remembered = 0;
  std::uint16_t bound_port = 0;
  std::vector<std::unique_ptr<LoopLoadMonitor>> loop_load_monitors;
};

Server::Server(ServerOptions options, const Router& router, telemetry::HttpMetrics* metrics, IoThreads& io)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, io)) {}

Server::~Server() = default;

void Server::start() {
  const auto& options = impl_->shared->options;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) {
    throw std::runtime_error("invalid listen address '" + options.host + "'");
  }
  const tcp::endpoint endpoint(address, options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                             ec.message());
  }
  acceptor.listen(net::socket_base::max_listen_connections);
  acceptor.non_blocking(true);
  impl_->bound_port = acceptor.local_endpoint().port();
  if (options.max_event_loop_delay.count() > 0 || options.max_event_loop_utilization > 0) {
    for (int i = 0; i < impl_->io.size(); ++i) {
      impl_->loop_load_monitors.push_back(std::make_unique<LoopLoadMonitor>(
          impl_->io.context(i),
          core::ShedShare::Targets{options.max_event_loop_delay, options.max_event_loop_utilization}));
    }
  }
  net::post(impl_->io.context(0), [impl = impl_.get()] { impl->accept_next(); });
}

std::uint16_t Server::port() const { return impl_->bound_port; }

bool Server::drain(std::chrono::steady_clock::time_point deadline) {
  impl_->shared->draining.store(true);
  std::promise<void> closed;
  net::post(impl_->io.context(0), [impl = impl_.get(), &closed] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->for_each_session(&Session::close_if_idle);
  while (impl_->shared->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    impl_->for_each_session(&Session::close_if_idle);
  }
  const bool clean = impl_->shared->in_flight.load() == 0;
  impl_->for_each_session(&Session::close);
  return clean;
}

std::size_t Server::open_connections() const { return impl_->shared->connections.load(); }

std::size_t Server::in_flight_requests() const { return impl_->shared->in_flight.load(); }

}  // namespace tollgate::http
