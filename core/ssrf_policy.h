#pragma once
// The SSRF policy for admin-supplied URLs (MCP upstreams, later JWKS and webhooks), decided on
// parsed addresses, never on URL text. Two checks:
//   - check_url: before any lookup, on the URL an administrator supplies (scheme, userinfo,
//     host spelling; a literal address is checked right there);
//   - check_address: on every address a host name resolves to, and again on the address the
//     outbound client is about to connect to (http/outbound_guard.h), so a name that resolves
//     differently later (DNS rebinding) is refused at connect time.
// Refused by default: loopback, RFC 1918, link-local, CGNAT, unspecified, multicast, reserved,
// documentation and benchmarking ranges, unique-local / site-local / link-local IPv6, NAT64,
// 6to4, Teredo, and the IPv4 inside IPv4-mapped and IPv4-compatible IPv6 addresses. An
// explicit allowlist (mcp_allowed_networks) admits networks; cloud metadata addresses
// (169.254.169.254, fd00:ec2::254, 100.100.100.200) are refused even inside one.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4, network order

  static IpAddress v4(std::uint32_t host_order);
  std::string text() const;  // 127.0.0.1, ::ffff:127.0.0.1, fd00:ec2::254 (RFC 5952)
  bool operator==(const IpAddress& other) const { return v6 == other.v6 && bytes == other.bytes; }
};

// The strict forms only: four decimal parts without leading zeros (as inet_pton), or RFC 4291
// IPv6 text with an optional dotted IPv4 tail and no zone id.
std::optional<IpAddress> parse_ip(std::string_view text);

// What inet_aton and getaddrinfo make of a numeric IPv4 host: 1 to 4 parts, each decimal,
// 0-prefixed octal or 0x hex, the last part filling the remaining bytes ("0x7f.1",
// "2130706433", "0177.0.0.1" are all 127.0.0.1). nullopt when the text is no such spelling.
std::optional<IpAddress> parse_legacy_ipv4(std::string_view text);

struct Cidr {
  IpAddress network;
  int prefix_length = 0;
};
// "172.18.0.0/16", "fd00::/8"; a bare address is a /32 or /128. Strict forms only.
std::optional<Cidr> parse_cidr(std::string_view text);
bool contains(const Cidr& network, const IpAddress& address);

struct SsrfPolicy {
  std::vector<Cidr> allowed_networks;  // config mcp_allowed_networks
};

struct SsrfVerdict {
  bool allowed = false;
  std::string reason;  // why refused, for the client and the log; empty when allowed
};

// One address about to be used: the one resolved or the one connected to.
SsrfVerdict check_address(const SsrfPolicy& policy, const IpAddress& address);

// An admin-supplied URL, parsed once.
struct UrlTarget {
  bool tls = false;
  std::string host;  // lowercase, without brackets and without one trailing dot
  std::uint16_t port = 0;
  std::optional<IpAddress> literal;  // set when the host is an address (then already checked)
};
struct UrlVerdict {
  std::optional<UrlTarget> target;  // nullopt: refused
  std::string reason;
};
// Only http and https; no userinfo (user@host), no zone id, no percent-encoding in the host;
// the host ASCII (an IDN must be given in its xn-- form); a numeric host must be a plain
// address (other spellings are refused, naming the address they stand for); localhost and
// *.localhost are loopback, metadata.google.internal and instance-data.ec2.internal are cloud
// metadata. A host name that passes still has to pass check_address on every address it
// resolves to.
UrlVerdict check_url(const SsrfPolicy& policy, std::string_view url);

}  // namespace tollgate::core
