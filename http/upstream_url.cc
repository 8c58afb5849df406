#include "http/upstream_url.h"

#include "core/url_split.h"

namespace tollgate::http {

std::string UpstreamUrl::pool_key() const { return host + ":" + std::to_string(port) + (tls ? ":tls" : ":tcp"); }

std::string UpstreamUrl::host_header() const { return core::host_header(tls, host, port); }

std::optional<UpstreamUrl> parse_upstream_url(std::string_view url) {
  const auto parts = core::split_url(url);
  UpstreamUrl out;
  if (parts.scheme != "https" && parts.scheme != "http") return std::nullopt;
  out.tls = parts.scheme == "https";
  if (parts.userinfo) return std::nullopt;  // credentials in URLs are not supported: they would end up in logs
  const auto split = core::split_host_port(parts.host_port);
  if (!split || split->host.empty()) return std::nullopt;
  out.host = std::string(split->host);
  const auto port = core::port_or_default(*split, out.tls);
  if (!port) return std::nullopt;
  out.port = *port;
  out.base_path = core::base_path(url);
  return out;
}

}  // namespace tollgate::http
