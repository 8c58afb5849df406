#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "core/ascii_case.h"

namespace tollgate::testing {

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

rapidjson::Document sse_data_json(const SseEvent& event) {
  const auto at = event.data.find("data: ");
  if (at == std::string::npos) return parse_json("");
  return parse_json(event.data.substr(at + 6, event.data.find('\n', at) - at - 6));
}

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpConnection::Impl {
  net::io_context ioc;
  tcp::socket socket{ioc};
  boost::beast::flat_buffer buffer;
};

HttpConnection::HttpConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
}

HttpConnection::~HttpConnection() = default;

HttpReply HttpConnection::request(const std::string& method, const std::string& target, const std::string& body,
                                  const HeaderList& headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1");
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    req.set(name, value);
    has_content_type = has_content_type || boost::beast::iequals(name, "content-type");
  }
  if (!body.empty() && !has_content_type) {
    req.set(bhttp::field::content_type, "application/json");
  }
  req.body() = body;
  req.prepare_payload();
  bhttp::write(impl_->socket, req);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  bhttp::read(impl_->socket, impl_->buffer, parser);
  const auto& res = parser.get();
  HttpReply reply;
  reply.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    reply.headers[core::ascii_lower(field.name_string())] = std::string(field.value());
  }
  reply.body = res.body();
  return reply;
}

bool HttpConnection::closed_by_peer() {
  char byte;
  boost::system::error_code ec;
  impl_->socket.non_blocking(true);
  const auto n = impl_->socket.read_some(net::buffer(&byte, 1), ec);
  impl_->socket.non_blocking(false);
  return n == 0 && ec && ec != net::error::would_block;
}

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body, const HeaderList& headers) {
  HttpConnection connection(port);
  return connection.request(method, target, body, headers);
}

namespace {

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Reads what is available within `wait`; returns bytes read, 0 on peer close, -1 on timeout.
long read_with_timeout(int fd, char* buffer, std::size_t size, std::chrono::milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready <= 0) {
    return -1;
  }
  const auto n = ::recv(fd, buffer, size, 0);
  return n < 0 ? 0 : n;
}

}  // namespace

std::string raw_post(const std::string& target, const std::string& body, const HeaderList& headers) {
  std::string request = "POST " + target + " HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  return request + "content-length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout,
                         bool* closed) {
  const int fd = connect_loopback(port);
  if (!bytes.empty()) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool peer_closed = false;
  char buffer[8192];
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const long n = read_with_timeout(fd, buffer, sizeof buffer, std::max(left, std::chrono::milliseconds(1)));
    if (n == 0) {
      peer_closed = true;
      break;
    }
    if (n < 0) {
      break;
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (closed) *closed = peer_closed;
  return out;
}

std::vector<SseEvent> read_sse(std::uint16_t port, const std::string& target, const std::string& body,
                               const HeaderList& headers, int* status) {
  const int fd = connect_loopback(port);
  auto with_close = headers;
  with_close.emplace_back("connection", "close");
  const std::string request = raw_post(target, body, with_close);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);

  std::vector<SseEvent> events;
  std::string raw;      // bytes not yet parsed
  std::string payload;  // de-chunked body not yet split into events
  bool headers_done = false;
  bool chunked = false;
  char buffer[8192];
  while (true) {
    const long n = read_with_timeout(fd, buffer, sizeof buffer, std::chrono::milliseconds(30'000));
    if (n <= 0) break;
    const auto now = std::chrono::steady_clock::now();
    raw.append(buffer, static_cast<std::size_t>(n));
    if (!headers_done) {
      const auto end = raw.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      const std::string head = raw.substr(0, end);
      if (status) *status = std::stoi(head.substr(9, 3));
      chunked = core::ascii_icontains(head, "transfer-encoding: chunked");
      raw.erase(0, end + 4);
      headers_done = true;
    }
    if (chunked) {
      while (true) {
        const auto line_end = raw.find("\r\n");
        if (line_end == std::string::npos) break;
        const std::size_t size = std::stoul(raw.substr(0, line_end), nullptr, 16);
        if (raw.size() < line_end + 2 + size + 2) break;
        payload.append(raw, line_end + 2, size);
        raw.erase(0, line_end + 2 + size + 2);
      }
    } else {
      payload += raw;
      raw.clear();
    }
    for (auto sep = payload.find("\n\n"); sep != std::string::npos; sep = payload.find("\n\n")) {
      events.push_back({payload.substr(0, sep), now});
      payload.erase(0, sep + 2);
    }
  }
  if (!payload.empty()) {
    events.push_back({payload, std::chrono::steady_clock::now()});
  }
  ::close(fd);
  return events;
}

}  // namespace tollgate::testing
