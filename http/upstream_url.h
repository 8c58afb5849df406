#pragma once
// An upstream base URL ("https://api.openai.com/v1") split for the outbound client.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::http {

struct UpstreamUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 80;
  std::string base_path;  // without a trailing slash ("" or "/v1")

  // "host:port:tls" — identifies a connection pool.
  std::string pool_key() const;
  // Value for the Host header (port omitted when default).
  std::string host_header() const;
};

// Parses http(s)://host[:port][/path]; IPv6 literals in brackets. nullopt when malformed.
std::optional<UpstreamUrl> parse_upstream_url(std::string_view url);

}  // namespace tollgate::http
