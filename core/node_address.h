#pragma once
// Validation of cluster node ids and host:port addresses (config, membership records).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core {

// 1..200 characters of letters, digits and . _ : @ - : safe in a Redis key, a log line, a
// metric label and a URL, and never holding the NUL the hash ring separates ids with.
bool is_valid_node_id(std::string_view id);

// host:port or [v6-host]:port, with a non-empty host and a port of 1..65535.
bool is_host_port(std::string_view address);

// The parts of such an address, the brackets of a v6 host removed ("[::1]:4100" → "::1", 4100);
// nullopt when it is not one.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view address);

}  // namespace tollgate::core
