#pragma once
// Blocking hiredis connections (connect with a timeout, AUTH, SELECT) and commands given as
// argument lists (binary-safe: no format strings). For background threads only.
#include <chrono>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "persistence/redis_url.h"

struct redisContext;
struct redisReply;

namespace tollgate::persistence {

struct RedisContextFree {
  void operator()(redisContext* context) const;
};
struct RedisReplyFree {
  void operator()(redisReply* reply) const;
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextFree>;
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyFree>;

// A connected (and authenticated, and on the URL's database) context, or a 503 whose message
// says why without the password. `timeout` bounds the connect and every later command.
core::Result<RedisContextPtr> connect_redis(const RedisAddress& address, std::chrono::milliseconds timeout);

// One command; a 503 when the connection failed (the context is then unusable: reconnect) or
// Redis answered with an error reply.
core::Result<RedisReplyPtr> redis_command(redisContext& context, std::initializer_list<std::string_view> args);
core::Result<RedisReplyPtr> redis_command(redisContext& context, const std::vector<std::string_view>& args);

}  // namespace tollgate::persistence
