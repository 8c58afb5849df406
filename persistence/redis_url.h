#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::persistence {

// redis://[[user]:password@]host[:port][/db]
struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
};

std::optional<RedisAddress> parse_redis_url(std::string_view url);

}  // namespace tollgate::persistence
