#pragma once
// One client connection on one single-threaded io_context: reads requests with Beast's parser,
// carries out the handler's Action (reply, delayed reply, paced stream, hang, RST) and keeps
// the connection alive between requests. Used for plain TCP and for TLS streams alike.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "tools/mock/handler.h"

namespace tollgate::mock {

class StatsShard;

using PlainStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  // `tls` is used only when Stream is TlsStream.
  Connection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls, Handler& handler, StatsShard& shard);
  ~Connection();

  void start();

 private:
  using error_code = boost::system::error_code;
  using Step = void (Connection::*)();

  void read_request();
  void continue_request();
  bool parse_buffered(error_code& ec);
  void on_request();
  void on_read_error(error_code ec);
  void act();
  void write_out(void (Connection::*next)(error_code));
  void on_reply_written(error_code ec);
  void on_stream_written(error_code ec);
  void write_step();
  void finish_response();
  void start_monitor();
  void on_monitor(error_code ec, std::size_t bytes);
  void wait(int ms, Step next);
  void reject(int status, std::string_view message);
  void client_gone();
  void reset();
  void close();

  Stream stream_;
  Handler& handler_;
  StatsShard& shard_;
  boost::asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;  // received bytes not yet parsed
  std::string monitor_buffer_;        // the monitor reads here, never into buffer_ directly
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string out_;  // the bytes of the current write
  Action action_;
  std::size_t next_step_ = 0;
  bool responding_ = false;          // a request is received and not fully answered
  bool monitor_pending_ = false;     // a read is watching for the client leaving
  bool read_after_monitor_ = false;  // the next request needs the monitor's bytes first
  bool continue_sent_ = false;       // "100 Continue" answered for the current request
  bool closed_ = false;
};

extern template class Connection<PlainStream>;
extern template class Connection<TlsStream>;

}  // namespace tollgate::mock
