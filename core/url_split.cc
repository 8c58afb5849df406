#include "core/url_split.h"

#include <algorithm>

namespace tollgate::core {

UrlParts split_url(std::string_view url) {
  UrlParts out;
  if (const auto first = url.find_first_of(":/?#"); first != std::string_view::npos && url.substr(first, 3) == "://") {
    out.scheme = url.substr(0, first);
    url.remove_prefix(first + 3);
  }
  if (const auto hash = url.find('#'); hash != std::string_view::npos) {
    out.fragment = url.substr(hash + 1);
    url = url.substr(0, hash);
  }
  if (const auto question = url.find('?'); question != std::string_view::npos) {
    out.query = url.substr(question + 1);
    url = url.substr(0, question);
  }
  const auto slash = url.find('/');
  auto authority = url.substr(0, slash);
  out.path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    out.userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
  }
  out.host_port = authority;
  return out;
}

Result<HostPort> split_host_port(std::string_view host_port) {
  HostPort out;
  if (!host_port.empty() && host_port.front() == '[') {
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) return bad_request("unterminated IPv6 literal");
    out.host = host_port.substr(1, close - 1);
    out.bracketed = true;
    const auto after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_request("unexpected text after the IPv6 literal");
      out.port = after.substr(1);
    }
    return out;
  }
  const auto colon = host_port.rfind(':');
  out.host = host_port.substr(0, colon);
  if (colon != std::string_view::npos) out.port = host_port.substr(colon + 1);
  return out;
}

std::string base_path(std::string_view url) {
  auto path = split_url(url).path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  unsigned port = 0;
  for (const char c : text) port = port * 10 + static_cast<unsigned>(c - '0');
  if (port == 0 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

std::optional<std::uint16_t> port_or_default(const HostPort& split, bool tls) {
  if (!split.port || split.port->empty()) return static_cast<std::uint16_t>(tls ? 443 : 80);
  return parse_port(*split.port);
}

std::string host_header(bool tls, std::string_view host, std::uint16_t port) {
  const bool default_port = port == (tls ? 443 : 80);
  std::string out = host.find(':') == std::string_view::npos ? std::string(host) : "[" + std::string(host) + "]";
  return default_port ? out : out + ":" + std::to_string(port);
}

}  // namespace tollgate::core
