#pragma once
// The listening socket and the I/O threads: one single-threaded io_context per thread, new
// connections handed out round-robin, so no connection state is ever shared between threads.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "tools/mock/handler.h"
#include "tools/mock/live_config.h"
#include "tools/mock/options.h"
#include "tools/mock/stats.h"

namespace tollgate::mock {

class Server {
 public:
  // Binds and listens (and loads the TLS files); throws std::exception on failure.
  explicit Server(const Options& options);
  ~Server();

  unsigned short port() const { return port_; }

  void start();  // spawns the I/O threads
  void stop();   // stops them and drops every connection

 private:
  struct Worker {
    Worker(Stats& stats, LiveConfig& config, int index, const std::string& azure_api_key);
    StatsShard& shard;
    Handler handler;
    boost::asio::io_context io;  // destroyed first: its connections use handler and shard
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
  };

  void accept();
  void start_connection(Worker& worker, boost::asio::ip::tcp::socket socket);

  LiveConfig config_;
  Stats stats_;
  std::optional<boost::asio::ssl::context> tls_;
  std::vector<std::unique_ptr<Worker>> workers_;
  boost::asio::ip::tcp::acceptor acceptor_;  // runs on workers_[0]
  boost::asio::steady_timer accept_retry_;
  unsigned short port_ = 0;
  std::size_t next_worker_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace tollgate::mock
