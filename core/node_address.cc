#include "core/node_address.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tollgate::core {

constexpr std::size_t kMaxNodeIdLength = 200;

bool is_valid_node_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxNodeIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
  });
}

std::optional<HostPort> parse_host_port(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto host = address.substr(0, colon);
  const auto port_text = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // a bare IPv6 address is ambiguous: write [::1]:port
  }
  const bool host_ok = std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':';
  });
  int port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (!host_ok || port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return std::nullopt;
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

bool is_host_port(std::string_view address) { return parse_host_port(address).has_value(); }

}  // namespace tollgate::core
