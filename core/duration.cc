#include "core/duration.h"

#include <cstdint>

namespace tollgate::core {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  std::size_t i = 0;
  std::int64_t count = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    count = count * 10 + (text[i] - '0');
    if (count > 100'000'000) {
      return std::nullopt;
    }
    ++i;
  }
  if (i == 0 || count == 0) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(i);
  std::int64_t seconds_per_unit = 0;
  if (unit == "s") {
    seconds_per_unit = 1;
  } else if (unit == "m") {
    seconds_per_unit = 60;
  } else if (unit == "h") {
    seconds_per_unit = 3600;
  } else if (unit == "d") {
    seconds_per_unit = 86400;
  } else if (unit == "w") {
    seconds_per_unit = 7 * 86400;
  } else if (unit == "mo") {
    seconds_per_unit = 30 * 86400;
  } else {
    return std::nullopt;
  }
  return std::chrono::seconds{count * seconds_per_unit};
}

std::optional<std::int64_t> reset_period_ms(const std::optional<std::string>& budget_duration) {
  if (!budget_duration) return std::nullopt;
  const auto period = parse_duration(*budget_duration);
  return period ? std::chrono::duration_cast<std::chrono::milliseconds>(*period).count() : 0;
}

}  // namespace tollgate::core
