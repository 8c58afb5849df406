#pragma once
// A blocking hiredis connection to a redis:// URL, authenticated, with one timeout for the
// connect and for every later read and write. Shared by the readiness probe and the cluster.
#include <chrono>
#include <memory>
#include <string>

#include "persistence/redis_url.h"

struct redisContext;

namespace tollgate::persistence {

struct RedisContextFree {
  void operator()(redisContext* context) const;
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextFree>;

// Null on failure, with `error` saying why (never the password).
RedisContextPtr connect_redis(const RedisAddress& address, std::chrono::milliseconds timeout, std::string& error);

}  // namespace tollgate::persistence
