#pragma once
// Who is calling. The credential comes from `Authorization: Bearer`, `x-api-key`,
// `x-litellm-api-key` or `api-key`; every failure answers the same 401 body.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/exchange.h"

namespace tollgate::api {

enum class CallerKind { master_key, virtual_key };

struct Caller {
  CallerKind kind = CallerKind::master_key;
  std::string label;  // for logs: "master_key" or a key alias / hash prefix, never the key
};

// The credential the request carries, "" when none.
std::string_view extract_credential(const http::Exchange& exchange);

class Authenticator {
 public:
  explicit Authenticator(std::string master_key) : master_key_(std::move(master_key)) {}

  // Answers through `done` (maybe later, from another thread); nullopt = not authenticated.
  void authenticate(const http::ExchangePtr& exchange,
                    std::function<void(std::optional<Caller>)> done) const;

 private:
  std::string master_key_;
};

}  // namespace tollgate::api
