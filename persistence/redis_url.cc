#include "persistence/redis_url.h"

#include <charconv>

namespace tollgate::persistence {

std::optional<RedisAddress> parse_redis_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return std::nullopt;
  }
  url.remove_prefix(kScheme.size());
  RedisAddress address;
  if (const auto at = url.rfind('@'); at != std::string_view::npos) {
    auto credentials = url.substr(0, at);
    url.remove_prefix(at + 1);
    const auto colon = credentials.find(':');
    address.password = std::string(colon == std::string_view::npos ? credentials : credentials.substr(colon + 1));
  }
  std::string_view host_port = url;
  if (const auto slash = url.find('/'); slash != std::string_view::npos) {
    host_port = url.substr(0, slash);
    const auto db = url.substr(slash + 1);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), address.db);
      if (ec != std::errc{} || p != db.data() + db.size()) return std::nullopt;
    }
  }
  if (const auto colon = host_port.rfind(':'); colon != std::string_view::npos) {
    const auto port = host_port.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
    if (ec != std::errc{} || p != port.data() + port.size() || address.port <= 0 || address.port > 65535) {
      return std::nullopt;
    }
    host_port = host_port.substr(0, colon);
  }
  if (!host_port.empty()) {
    address.host = std::string(host_port);
  }
  return address;
}

}  // namespace tollgate::persistence
