#include "tools/mock/server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <exception>

#include <openssl/ssl.h>

#include "tools/mock/connection.h"

namespace tollgate::mock {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

ssl::context make_tls_context(const Options& options) {
  ssl::context context(ssl::context::tls_server);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.use_certificate_chain_file(options.tls_cert);
  context.use_private_key_file(options.tls_key, ssl::context::pem);
  return context;
}

net::ip::address parse_host(const std::string& host) {
  return net::ip::make_address(host == "localhost" ? std::string("127.0.0.1") : host);
}

}  // namespace

Server::Worker::Worker(Stats& stats, LiveConfig& config, int index, const std::string& azure_api_key)
    : shard(stats.shard(index)),
      handler(stats, shard, config, index, azure_api_key),
      io(1),
      guard(net::make_work_guard(io)) {}

Server::Server(const Options& options)
    : config_(options.defaults),
      stats_(options.threads),
      workers_([&] {
        std::vector<std::unique_ptr<Worker>> workers;
        for (int i = 0; i < options.threads; ++i) {
          workers.push_back(std::make_unique<Worker>(stats_, config_, i, options.azure_api_key));
        }
        return workers;
      }()),
      acceptor_(workers_.front()->io),
      accept_retry_(workers_.front()->io) {
  if (!options.tls_cert.empty()) {
    tls_.emplace(make_tls_context(options));
  }
  const tcp::endpoint endpoint(parse_host(options.host), static_cast<unsigned short>(options.port));
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

Server::~Server() { stop(); }

void Server::start() {
  accept();
  for (auto& worker : workers_) {
    threads_.emplace_back([&io = worker->io] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (const std::exception& e) {
          // One failed request must not take the thread (and its connections' peers) down.
          std::fprintf(stderr, "tollgate-mock: handler error: %s\n", e.what());
        }
      }
    });
  }
}

void Server::stop() {
  for (auto& worker : workers_) {
    worker->guard.reset();
    worker->io.stop();
  }
  for (auto& thread : threads_) {
    thread.join();
  }
  threads_.clear();
}

void Server::accept() {
  // The new socket is created on the next worker's context, so it lives there for good.
  Worker& worker = *workers_[next_worker_++ % workers_.size()];
  acceptor_.async_accept(worker.io, [this, &worker](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) {
      return;
    }
    if (ec) {
      // Out of descriptors, for instance: try again shortly instead of spinning.
      std::fprintf(stderr, "tollgate-mock: accept failed: %s\n", ec.message().c_str());
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec) {
          accept();
        }
      });
      return;
    }
    net::post(worker.io,
              [this, &worker, socket = std::move(socket)]() mutable { start_connection(worker, std::move(socket)); });
    accept();
  });
}

void Server::start_connection(Worker& worker, tcp::socket socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls_) {
    std::make_shared<Connection<TlsStream>>(std::move(socket), &*tls_, worker.handler, worker.shard)->start();
  } else {
    std::make_shared<Connection<PlainStream>>(std::move(socket), nullptr, worker.handler, worker.shard)->start();
  }
}

}  // namespace tollgate::mock
