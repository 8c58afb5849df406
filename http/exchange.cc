#include "http/exchange.h"

#include "http/url.h"

namespace tollgate::http {

std::string_view Exchange::param(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

std::optional<std::string> Exchange::query_param(std::string_view name) const {
  return query_value(query_, name);
}

}  // namespace tollgate::http
