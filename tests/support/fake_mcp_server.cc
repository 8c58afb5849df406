#include "tests/support/fake_mcp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/ascii_case.h"

namespace tollgate::testing {
namespace {

std::string raw_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return b.GetString();
}

std::size_t content_length(const std::string& head) {
  const std::string lower = core::ascii_lower(head);
  const auto at = lower.find("content-length:");
  if (at == std::string::npos) return 0;
  return static_cast<std::size_t>(std::stoul(lower.substr(at + 15)));
}

constexpr const char* kTools =
    R"({"tools":[{"name":"echo","description":"Echoes the message","inputSchema":{"type":"object","properties":{"message":{"type":"string"}}}},)"
    R"({"name":"add","description":"Adds a and b","inputSchema":{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}}}}]})";

}  // namespace

FakeMcpServer::FakeMcpServer(Mode mode) : mode_(mode) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 64) != 0) {
    throw std::runtime_error("fake MCP server: cannot listen");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeMcpServer::~FakeMcpServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : connections_) t.join();
}

std::vector<FakeMcpServer::Received> FakeMcpServer::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

void FakeMcpServer::serve() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    open_fds_.push_back(fd);
    connections_.emplace_back([this, fd] { handle(fd); });
  }
}

// Keep-alive: one request after another until the peer closes.
void FakeMcpServer::handle(int fd) {
  std::string buffer;
  char chunk[8192];
  while (!stopping_) {
    const auto end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      const std::string head = buffer.substr(0, end + 4);
      const auto length = content_length(head);
      if (buffer.size() >= end + 4 + length) {
        std::string body = buffer.substr(end + 4, length);
        buffer.erase(0, end + 4 + length);
        {
          std::lock_guard lock(mutex_);
          received_.push_back({head, body});
        }
        if (mode_ == Mode::silent) continue;  // read on, answer never
        std::string extra;
        std::string payload;
        int status = 200;
        if (mode_ == Mode::garbage) {
          payload = "this is <not> JSON-RPC";
        } else if (head.rfind("DELETE", 0) == 0) {
          payload.clear();
        } else {
          payload = answer(body, extra);
          if (payload.empty()) status = 202;
        }
        std::string reply = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Accepted") +
                            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(payload.size()) +
                            "\r\n" + extra + "\r\n" + payload;
        if (::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) break;
        continue;
      }
    }
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

std::string FakeMcpServer::answer(const std::string& body, std::string& extra_headers) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("method")) return {};
  if (!d.HasMember("id")) return {};  // a notification: 202
  const std::string method = d["method"].GetString();
  const std::string id = raw_json(d["id"]);
  auto result = [&id](const std::string& r) { return R"({"jsonrpc":"2.0","id":)" + id + R"(,"result":)" + r + "}"; };
  if (method == "initialize") {
    extra_headers = "Mcp-Session-Id: fake-session-1\r\n";
    return result(
        R"({"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"fake","version":"1"}})");
  }
  if (method == "tools/list") return result(kTools);
  if (method == "tools/call") {
    const auto& params = d["params"];
    const std::string name = params["name"].GetString();
    if (name == "echo") {
      const std::string message = params["arguments"]["message"].GetString();
      return result(R"({"content":[{"type":"text","text":"Echo: )" + message + R"("}]})");
    }
    if (name == "add") {
      const double sum = params["arguments"]["a"].GetDouble() + params["arguments"]["b"].GetDouble();
      return result(R"({"content":[{"type":"text","text":")" + std::to_string(static_cast<long long>(sum)) + R"("}]})");
    }
    return result(R"({"content":[{"type":"text","text":"Tool )" + name + R"( not found"}],"isError":true})");
  }
  return R"({"jsonrpc":"2.0","id":)" + id + R"(,"error":{"code":-32601,"message":"Method not found"}})";
}

}  // namespace tollgate::testing
