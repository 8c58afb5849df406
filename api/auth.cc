#include "api/auth.h"

#include <cctype>

#include "core/constant_time.h"

namespace tollgate::api {
namespace {

std::string_view strip_bearer(std::string_view value) {
  constexpr std::string_view kBearer = "bearer ";
  if (value.size() > kBearer.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kBearer.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(value[i])) != kBearer[i]) {
        match = false;
        break;
      }
    }
    if (match) {
      value.remove_prefix(kBearer.size());
    }
  }
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

}  // namespace

std::string_view extract_credential(const http::Exchange& exchange) {
  for (const char* name : {"x-litellm-api-key", "authorization", "x-api-key", "api-key"}) {
    const auto value = exchange.header(name);
    if (!value.empty()) {
      return strip_bearer(value);
    }
  }
  return {};
}

void Authenticator::authenticate(const http::ExchangePtr& exchange,
                                 std::function<void(std::optional<Caller>)> done) const {
  const auto credential = extract_credential(*exchange);
  if (!master_key_.empty() && core::constant_time_equals(credential, master_key_)) {
    done(Caller{CallerKind::master_key, "master_key"});
    return;
  }
  done(std::nullopt);
}

}  // namespace tollgate::api
