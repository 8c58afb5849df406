#include "tools/mock/connection.h"

#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstring>
#include <type_traits>

#include "tools/mock/http_out.h"
#include "tools/mock/responses.h"
#include "tools/mock/stats.h"

namespace tollgate::mock {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::uint32_t kHeaderLimit = 64 * 1024;
constexpr std::uint64_t kBodyLimit = std::uint64_t{256} << 20;
// While an answer is pending, a read watches for the client hanging up; bytes it pipelines
// meanwhile are buffered up to this much, then the watching pauses until the answer is done.
constexpr std::size_t kMaxBufferedAhead = 64 * 1024;
constexpr std::size_t kMonitorRead = 4096;

template <class Stream>
Stream make_stream(tcp::socket socket, net::ssl::context* tls) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    return Stream(std::move(socket), *tls);
  } else {
    (void)tls;
    return socket;
  }
}

bool is_parse_error(boost::system::error_code ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

template <class Stream>
Connection<Stream>::Connection(tcp::socket socket, net::ssl::context* tls, Handler& handler, StatsShard& shard)
    : stream_(make_stream<Stream>(std::move(socket), tls)),
      handler_(handler),
      shard_(shard),
      timer_(stream_.get_executor()) {
  shard_.connection_opened();
}

template <class Stream>
Connection<Stream>::~Connection() {
  shard_.connection_closed();
}

template <class Stream>
void Connection<Stream>::start() {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    stream_.async_handshake(net::ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
      if (ec) {
        self->close();
        return;
      }
      self->read_request();
    });
  } else {
    read_request();
  }
}

// ------------------------------------------------------------------ reading

template <class Stream>
void Connection<Stream>::read_request() {
  if (closed_) {
    return;
  }
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  parser_->eager(true);
  continue_sent_ = false;
  if (const int keep_alive_ms = handler_.keep_alive_ms(); keep_alive_ms > 0 && buffer_.size() == 0) {
    wait(keep_alive_ms, &Connection::close);  // idle: closed unless a request arrives in time
  }
  continue_request();
}

template <class Stream>
void Connection<Stream>::continue_request() {
  // Bytes already buffered (a pipelined request, or a body that came with its head) are
  // parsed without another asynchronous round; the socket is read only for what is missing.
  error_code ec;
  if (!parse_buffered(ec)) {
    on_read_error(ec);
    return;
  }
  if (parser_->is_done()) {
    on_request();
    return;
  }
  if (monitor_pending_) {
    read_after_monitor_ = true;  // one read at a time: the monitor's bytes come first
    return;
  }
  auto self = this->shared_from_this();
  if (!parser_->is_header_done()) {
    bhttp::async_read_header(stream_, buffer_, *parser_, [self](error_code ec2, std::size_t) {
      if (self->closed_) {
        return;
      }
      if (ec2) {
        self->on_read_error(ec2);
        return;
      }
      self->continue_request();
    });
    return;
  }
  auto read_body = [self] {
    bhttp::async_read(self->stream_, self->buffer_, *self->parser_, [self](error_code ec2, std::size_t) {
      if (self->closed_) {
        return;
      }
      if (ec2) {
        self->on_read_error(ec2);
        return;
      }
      self->on_request();
    });
  };
  if (!continue_sent_ && beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
    // A client that asks first (curl with a large body) would otherwise wait a second.
    continue_sent_ = true;
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self, read_body](error_code ec2, std::size_t) {
                       if (ec2 || self->closed_) {
                         self->close();
                         return;
                       }
                       read_body();
                     });
    return;
  }
  read_body();
}

template <class Stream>
bool Connection<Stream>::parse_buffered(error_code& ec) {
  while (!parser_->is_done() && buffer_.size() > 0) {
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      return true;
    }
    if (ec) {
      return false;
    }
    if (used == 0) {
      return true;
    }
  }
  return true;
}

template <class Stream>
void Connection<Stream>::on_read_error(error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == net::error::eof ||
      ec == net::ssl::error::stream_truncated) {
    close();  // the client left between (or in the middle of sending) requests
  } else if (ec == bhttp::error::body_limit) {
    reject(413, "tollgate-mock: request body too large");
  } else if (ec == bhttp::error::header_limit) {
    reject(431, "tollgate-mock: request headers too large");
  } else if (is_parse_error(ec)) {
    reject(400, "tollgate-mock: malformed HTTP request: " + ec.message());
  } else {
    close();
  }
}

template <class Stream>
void Connection<Stream>::reject(int status, std::string_view message) {
  // A protocol error: answer in the OpenAI format and close; nothing was counted.
  std::string body;
  append_openai_error(body, status, message);
  out_.clear();
  append_head(out_, status, kJson, body.size(), false);
  out_ += body;
  action_ = Action{};
  action_.keep_alive = false;
  responding_ = false;
  write_out(&Connection::on_reply_written);
}

// ------------------------------------------------------------------ answering

template <class Stream>
void Connection<Stream>::on_request() {
  timer_.cancel();  // the keep-alive wait, if any
  responding_ = true;
  out_.clear();
  action_ = handler_.handle(parser_->release(), out_);
  parser_.reset();
  next_step_ = 0;
  const bool deferred = action_.delay_ms > 0 || action_.kind == Action::Kind::hang ||
                        (action_.kind == Action::Kind::stream && action_.paced);
  if (deferred) {
    start_monitor();  // so a client that gives up is noticed (and counted) while we wait
  }
  if (action_.delay_ms > 0) {
    wait(action_.delay_ms, &Connection::act);
    return;
  }
  act();
}

template <class Stream>
void Connection<Stream>::act() {
  switch (action_.kind) {
    case Action::Kind::reply: write_out(&Connection::on_reply_written); return;
    case Action::Kind::hang: return;  // only the monitor's read is pending: it reports the client leaving
    case Action::Kind::reset: reset(); return;
    case Action::Kind::stream:
      if (!action_.paced) {
        for (const auto& step : action_.steps) {
          out_ += step.bytes;
        }
        next_step_ = action_.steps.size();
      }
      write_out(&Connection::on_stream_written);
      return;
  }
}

template <class Stream>
void Connection<Stream>::write_out(void (Connection::*next)(error_code)) {
  net::async_write(stream_, net::buffer(out_),
                   [self = this->shared_from_this(), next](error_code ec, std::size_t) { (self.get()->*next)(ec); });
}

template <class Stream>
void Connection<Stream>::on_reply_written(error_code ec) {
  if (closed_) {
    return;
  }
  if (ec) {
    client_gone();
    return;
  }
  finish_response();
}

template <class Stream>
void Connection<Stream>::on_stream_written(error_code ec) {
  if (closed_) {
    return;
  }
  if (ec) {
    client_gone();
    return;
  }
  if (action_.reset_after >= 0 && next_step_ > static_cast<std::size_t>(action_.reset_after)) {
    wait(action_.reset_delay_ms, &Connection::reset);
    return;
  }
  if (next_step_ == action_.steps.size()) {
    finish_response();
    return;
  }
  const int delay = action_.steps[next_step_].delay_ms;
  if (delay > 0) {
    wait(delay, &Connection::write_step);
    return;
  }
  write_step();
}

template <class Stream>
void Connection<Stream>::write_step() {
  // Each paced event is its own write, so it reaches the client when it is produced.
  out_.swap(action_.steps[next_step_].bytes);
  ++next_step_;
  write_out(&Connection::on_stream_written);
}

template <class Stream>
void Connection<Stream>::finish_response() {
  responding_ = false;
  if (!action_.keep_alive) {
    close();
    return;
  }
  read_request();
}

// ------------------------------------------------------------------ watching, timing, closing

template <class Stream>
void Connection<Stream>::start_monitor() {
  if (monitor_pending_ || closed_) {
    return;
  }
  monitor_pending_ = true;
  if (monitor_buffer_.empty()) {
    monitor_buffer_.resize(kMonitorRead);
  }
  stream_.async_read_some(
      net::buffer(monitor_buffer_),
      [self = this->shared_from_this()](error_code ec, std::size_t bytes) { self->on_monitor(ec, bytes); });
}

template <class Stream>
void Connection<Stream>::on_monitor(error_code ec, std::size_t bytes) {
  monitor_pending_ = false;
  if (closed_) {
    return;
  }
  if (ec) {
    client_gone();
    return;
  }
  // Copied only now: while the read was pending, buffer_ was free to be parsed and consumed.
  const auto space = buffer_.prepare(bytes);
  std::memcpy(space.data(), monitor_buffer_.data(), bytes);
  buffer_.commit(bytes);
  if (read_after_monitor_) {
    read_after_monitor_ = false;
    continue_request();
    return;
  }
  if (responding_ && buffer_.size() < kMaxBufferedAhead) {
    start_monitor();
  }
}

template <class Stream>
void Connection<Stream>::wait(int ms, Step next) {
  timer_.expires_after(std::chrono::milliseconds(ms));
  timer_.async_wait([self = this->shared_from_this(), next](error_code ec) {
    if (ec || self->closed_) {
      return;
    }
    (self.get()->*next)();
  });
}

template <class Stream>
void Connection<Stream>::client_gone() {
  if (responding_) {
    shard_.count_client_abort();
  }
  responding_ = false;
  close();
}

template <class Stream>
void Connection<Stream>::reset() {
  if (closed_) {
    return;
  }
  // SO_LINGER 0 makes close() send an RST instead of a FIN.
  responding_ = false;
  error_code ignored;
  stream_.lowest_layer().set_option(tcp::socket::linger(true, 0), ignored);
  close();
}

template <class Stream>
void Connection<Stream>::close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  timer_.cancel();
  error_code ignored;
  stream_.lowest_layer().close(ignored);  // no shutdown(): it would send a FIN before an RST
}

template class Connection<PlainStream>;
template class Connection<TlsStream>;

}  // namespace tollgate::mock
