#include "cluster/peer_probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include <cerrno>
#include <cstring>
#include <memory>

#include "cluster/peer_messages.h"

namespace tollgate::cluster {
namespace {

using Clock = std::chrono::steady_clock;

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

// One non-blocking connect, waited for until `deadline`: 0 when connected, else an errno.
int connect_before(const addrinfo& address, Clock::time_point deadline) {
  const int fd = socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, address.ai_protocol);
  if (fd < 0) return errno;
  int error = 0;
  if (connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd wait{fd, POLLOUT, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      const int ready = left.count() > 0 ? poll(&wait, 1, static_cast<int>(left.count())) : 0;
      socklen_t size = sizeof error;
      if (ready <= 0) {
        error = ready == 0 ? ETIMEDOUT : errno;
      } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
        error = errno;
      }
    }
  }
  close(fd);
  return error;
}

}  // namespace

std::string tcp_connect_error(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int failed = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); failed != 0) {
    return std::string("cannot resolve the host: ") + gai_strerror(failed);
  }
  std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(found);
  int error = ETIMEDOUT;
  for (const auto* address = found; address != nullptr && Clock::now() < deadline; address = address->ai_next) {
    error = connect_before(*address, deadline);
    if (error == 0) return {};
  }
  return error == ETIMEDOUT ? "no TCP connection within " + std::to_string(timeout.count()) + " ms"
                            : std::string("cannot connect: ") + std::strerror(error);
}

namespace {

caf::behavior tcp_probe(caf::event_based_actor* self, const std::string& host, std::uint16_t port,
                        std::chrono::milliseconds timeout) {
  return {[=](probe_atom) {
    self->quit();
    return tcp_connect_error(host, port, timeout);
  }};
}

}  // namespace

// The arguments travel through spawn (a capturing lambda with none trips UBSan in CAF 0.17's
// init_fun_factory, which dereferences its empty argument tuple).
caf::actor spawn_tcp_probe(caf::actor_system& system, std::string host, std::uint16_t port,
                           std::chrono::milliseconds timeout) {
  return system.spawn<caf::detached>(tcp_probe, std::move(host), port, timeout);
}

}  // namespace tollgate::cluster
