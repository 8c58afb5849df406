#include "persistence/redis_connection.h"

#include <hiredis/hiredis.h>

#include <string>

namespace tollgate::persistence {

void RedisContextFree::operator()(redisContext* context) const { redisFree(context); }
void RedisReplyFree::operator()(redisReply* reply) const { freeReplyObject(reply); }

core::Result<RedisReplyPtr> redis_command(redisContext& context, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  RedisReplyPtr reply(
      static_cast<redisReply*>(redisCommandArgv(&context, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply) {
    return core::service_unavailable(std::string("redis connection failed: ") +
                                     (context.err ? context.errstr : "no reply"));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    // Redis's own message names the command's problem, never an argument's value.
    return core::service_unavailable("redis error: " + std::string(reply->str, reply->len));
  }
  return core::Result<RedisReplyPtr>(std::move(reply));
}

core::Result<RedisReplyPtr> redis_command(redisContext& context, std::initializer_list<std::string_view> args) {
  return redis_command(context, std::vector<std::string_view>(args));
}

core::Result<RedisContextPtr> connect_redis(const RedisAddress& address, std::chrono::milliseconds timeout) {
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  RedisContextPtr context(redisConnectWithTimeout(address.host.c_str(), address.port, tv));
  if (!context || context->err) {
    return core::service_unavailable(std::string("cannot connect: ") + (context ? context->errstr : "out of memory"));
  }
  redisSetTimeout(context.get(), tv);
  if (!address.password.empty()) {
    if (!redis_command(*context, {"AUTH", address.password})) {
      return core::service_unavailable("authentication failed");
    }
  }
  if (address.db != 0) {
    const auto db = std::to_string(address.db);
    if (auto selected = redis_command(*context, {"SELECT", db}); !selected) return std::move(selected).error();
  }
  return core::Result<RedisContextPtr>(std::move(context));
}

}  // namespace tollgate::persistence
