#include "mcp/protocol.h"

#include <algorithm>
#include <array>

#include "core/ascii_case.h"
#include "core/url_split.h"

namespace tollgate::mcp {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == kToolSeparator;
}

// "host", "host:port", "[v6]:port" → the host, lower case, without brackets; "" when the
// authority does not split (a '[' without its ']', text after the ']').
std::string host_of_authority(std::string_view authority) {
  const auto split = core::split_host_port(authority);
  return split ? core::ascii_lower(split.value().host) : std::string();
}

bool loopback_host(const std::string& host) { return host == "localhost" || host == "127.0.0.1" || host == "::1"; }

}  // namespace

bool valid_tool_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), name_char);
}

bool valid_server_name(std::string_view name) {
  return valid_tool_name(name) && name.size() <= 64 && name.find(kToolSeparator) == std::string_view::npos;
}

std::string prefixed_tool_name(std::string_view server, std::string_view tool) {
  std::string out;
  out.reserve(server.size() + 1 + tool.size());
  out.append(server);
  out.push_back(kToolSeparator);
  out.append(tool);
  return out;
}

std::optional<std::pair<std::string_view, std::string_view>> split_tool_name(std::string_view name) {
  const auto at = name.find(kToolSeparator);
  if (at == std::string_view::npos || at == 0 || at + 1 == name.size()) return std::nullopt;
  return std::make_pair(name.substr(0, at), name.substr(at + 1));
}

bool supported_protocol_version(std::string_view version) {
  static constexpr std::array<std::string_view, 2> kSupported{"2025-06-18", "2025-03-26"};
  return std::find(kSupported.begin(), kSupported.end(), version) != kSupported.end();
}

std::string_view negotiate_protocol_version(std::string_view requested) {
  return supported_protocol_version(requested) ? requested : kLatestProtocolVersion;
}

bool origin_allowed(std::string_view origin, std::string_view host_header) {
  if (origin.empty()) return true;
  const auto url = core::split_url(origin);
  if (!url.scheme) return false;  // "null" and other opaque origins
  const auto scheme = core::ascii_lower(*url.scheme);
  if (scheme != "http" && scheme != "https") return false;
  // An origin is scheme://host[:port] and nothing more.
  if (url.userinfo || !url.path.empty() || url.query || url.fragment) return false;
  const auto host = host_of_authority(url.host_port);
  if (host.empty()) return false;
  return loopback_host(host) || host == host_of_authority(host_header);
}

bool well_formed_session_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

}  // namespace tollgate::mcp
