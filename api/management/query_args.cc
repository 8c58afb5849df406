#include "api/management/query_args.h"

#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "api/json_body.h"
#include "core/utf8.h"

namespace tollgate::api {

std::optional<std::string> ManagementCall::query(const char* name) const {
  auto value = value_or_throw(exchange.query_param(name));
  if (!value) return value;
  // Percent-decoding can produce any byte: the same rules as for JSON bodies apply.
  if (!core::is_utf8(*value)) throw_bad_request(std::string("'") + name + "' is not valid UTF-8", name);
  throw_if_error(refuse_nul(*value, name));
  return value;
}

int query_int(const ManagementCall& call, const char* name, int fallback, int min, int max) {
  const auto text = call.query(name);
  if (!text || text->empty()) return fallback;
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(*text, &used);
  } catch (const std::exception&) {  // std::stoi's way of saying "not a number" or "out of range"
    used = 0;
  }
  if (used == 0 || used != text->size() || value < min || value > max) {
    throw_bad_request(
        std::string("'") + name + "' must be an integer between " + std::to_string(min) + " and " + std::to_string(max),
        name);
  }
  return value;
}

std::string required_query(const ManagementCall& call, const char* name) {
  auto value = call.query(name);
  if (!value || value->empty()) throw_bad_request(std::string("'") + name + "' is required", name);
  return *value;
}

std::optional<std::string> optional_query(const ManagementCall& call, const char* name) {
  auto value = call.query(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> query_date_ms(const ManagementCall& call, const char* name, bool end_of_day) {
  const auto text = call.query(name);
  if (!text || text->empty()) return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (std::sscanf(text->c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d + (end_of_day ? 1 : 0);
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
  }
  try {
    return std::stoll(*text);
  } catch (const std::exception&) {
    throw_bad_request(std::string("'") + name + "' must be a date (YYYY-MM-DD)", name);
  }
}

}  // namespace tollgate::api
