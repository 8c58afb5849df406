#include "persistence/redis_connect.h"

#include <hiredis/hiredis.h>

namespace tollgate::persistence {

void RedisContextFree::operator()(redisContext* context) const { redisFree(context); }

RedisContextPtr connect_redis(const RedisAddress& address, std::chrono::milliseconds timeout, std::string& error) {
  const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  RedisContextPtr context(redisConnectWithTimeout(address.host.c_str(), address.port, tv));
  if (!context || context->err) {
    error = std::string("cannot connect: ") + (context ? context->errstr : "out of memory");
    return nullptr;
  }
  redisSetTimeout(context.get(), tv);
  if (!address.password.empty()) {
    auto* reply = static_cast<redisReply*>(
        redisCommand(context.get(), "AUTH %b", address.password.data(), address.password.size()));
    const bool ok = reply && reply->type != REDIS_REPLY_ERROR;
    if (reply) freeReplyObject(reply);
    if (!ok) {
      error = "authentication failed";
      return nullptr;
    }
  }
  return context;
}

}  // namespace tollgate::persistence
