#pragma once
// A URL split into the parts it is written with, scheme://userinfo@host:port/path?query#fragment:
// the one place that knows where each part starts and ends. It judges nothing; each caller does
// (the SSRF policy refuses userinfo, the outbound client takes http and https only, a metric
// label drops userinfo and query). Pure, table-tested (tests/unit/core/url_split_test.cc).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tollgate::core {

struct UrlParts {
  // As written ("HTTPS"): the text before "://" when that is the URL's first ':', '/', '?' or
  // '#'; nullopt otherwise ("localhost:8080/v1" has no scheme and is all authority and path).
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> userinfo;  // the authority before its last '@'
  std::string_view host_port;                // the authority after the userinfo
  std::string_view path;                     // "" or from the '/' ending the authority, up to '?' or '#'
  std::optional<std::string_view> query;     // after the first '?' before any '#'
  std::optional<std::string_view> fragment;  // after the first '#'
};
// Every text splits. The authority ends at the first '/', '?' or '#'.
UrlParts split_url(std::string_view url);

struct HostPort {
  std::string_view host;                 // an IPv6 literal without its brackets
  bool bracketed = false;                // written [in brackets]
  std::optional<std::string_view> port;  // the text after the host's ':'; "" for "host:"
};
// "host", "host:port", "[v6]", "[v6]:port"; a bare host splits at its last ':'. A 400 for a
// '[' without its ']', or text after the ']' other than ":port".
Result<HostPort> split_host_port(std::string_view host_port);

// The path of a base URL without its trailing '/' ("https://h/v1/" → "/v1"; "" when it has
// none): the prefix an api_base puts before every endpoint. Query and fragment are no part of it.
std::string base_path(std::string_view url);

// A port as a URL writes it: 1 to 5 decimal digits, 1 to 65535.
std::optional<std::uint16_t> parse_port(std::string_view text);

// The port an outbound call connects to: the one written, or the scheme's default (443 with TLS,
// 80 without) when none is, "host:" included; nullopt for one parse_port refuses. The client
// (http::parse_upstream_url) and what a SigV4 signature signs as Host read it the same way.
std::optional<std::uint16_t> port_or_default(const HostPort& split, bool tls);

// The Host header for a host and port: an IPv6 host in brackets, the port left out when it is
// the scheme's default (443 with TLS, 80 without). What a SigV4 signature signs must be what
// the client sends, so both take it from here.
std::string host_header(bool tls, std::string_view host, std::uint16_t port);

}  // namespace tollgate::core
