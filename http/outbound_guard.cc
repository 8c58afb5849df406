#include "http/outbound_guard.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace tollgate::http {
namespace {

class SystemResolver final : public HostResolver {
 public:
  Resolution resolve(const std::string& host) const override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    Resolution out;
    if (const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
      out.error = gai_strerror(rc);
      return out;
    }
    for (const addrinfo* entry = found; entry; entry = entry->ai_next) {
      core::IpAddress address;
      if (entry->ai_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(entry->ai_addr);
        std::memcpy(address.bytes.data(), &in->sin_addr, 4);
      } else if (entry->ai_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(entry->ai_addr);
        address.v6 = true;
        std::memcpy(address.bytes.data(), &in6->sin6_addr, 16);
      } else {
        continue;
      }
      if (std::find(out.addresses.begin(), out.addresses.end(), address) == out.addresses.end()) {
        out.addresses.push_back(address);
      }
    }
    freeaddrinfo(found);
    return out;
  }
};

}  // namespace

std::shared_ptr<const HostResolver> system_resolver() {
  static const auto resolver = std::make_shared<const SystemResolver>();
  return resolver;
}

}  // namespace tollgate::http
