// The HTTP request path as the server sees it: each input is sent as raw bytes over loopback to
// a real gateway (SQLite store, built-in mock models) and its answer read to the end. Covers the
// framing and our limits (head, body, chunking), routing, authentication, every JSON body the
// routes parse — inference and management alike — and what they answer.
//
// "MASTER_KEY" in an input stands for the gateway's master key, so that the fuzzer reaches what
// lies behind authentication. The input is half-closed after sending: a request the input leaves
// unfinished ends in the client's end of stream, not in a timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/gateway.h"
#include "config/load_config.h"
#include "telemetry/log.h"

namespace {

const std::string kMasterKey = "sk-fuzz-master-key-0123456789";
constexpr std::string_view kPlaceholder = "MASTER_KEY";

std::uint16_t start_gateway() {
  char dir[] = "/tmp/tollgate-fuzz-XXXXXX";
  if (!mkdtemp(dir)) std::abort();
  const std::string yaml = std::string("model_list:\n") +
                           "  - model_name: m\n"
                           "    litellm_params: {model: mock/m}\n"
                           "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
                           "general_settings:\n"
                           "  master_key: " +
                           kMasterKey +
                           "\n"
                           "  sqlite_path: " +
                           dir +
                           "/tollgate.db\n"
                           "  max_auth_failures_per_minute: 1000000\n"
                           "  max_request_size_mb: 1\n";
  tollgate::telemetry::Logger::instance().set_level(tollgate::telemetry::LogLevel::error);
  auto config = tollgate::config::parse_config(yaml, "fuzz.yaml",
                                               [](const std::string&) { return std::optional<std::string>(); });
  config.general.host = "127.0.0.1";
  config.general.port = 0;
  // Never stopped: the process ends with the fuzzer. A static pointer keeps it reachable (not a
  // leak) without a destructor racing the fuzzer's exit.
  static auto* gateway = new tollgate::app::Gateway(std::move(config));
  gateway->start();
  return gateway->port();
}

std::string with_master_key(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (auto at = text.find(kPlaceholder); at != std::string::npos; at = text.find(kPlaceholder, at)) {
    text.replace(at, kPlaceholder.size(), kMasterKey);
    at += kMasterKey.size();
  }
  return text;
}

void send_and_drain(std::uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::abort();
  timeval timeout{5, 0};  // the gateway answers or closes long before; a hang is a finding
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::size_t sent = 0;
  while (sent < request.size()) {
    const auto n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the gateway answered early (413, 431) and closed
    sent += static_cast<std::size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  char buffer[16384];
  for (;;) {
    const auto n = recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) std::abort();  // neither answered nor closed
      break;
    }
  }
  close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::uint16_t port = start_gateway();
  send_and_drain(port, with_master_key(data, size));
  return 0;
}
