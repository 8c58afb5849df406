#include "core/web_search.h"

#include <algorithm>
#include <cmath>

namespace tollgate::core {

bool is_web_search_tool(std::string_view type) {
  constexpr std::string_view kPrefix = "web_search";
  if (type.substr(0, kPrefix.size()) != kPrefix) return false;
  return type.size() == kPrefix.size() || type[kPrefix.size()] == '_';
}

std::optional<std::int64_t> searches_allowed(std::optional<double> max_uses) {
  if (!max_uses || !(*max_uses > 0)) return std::nullopt;  // also NaN
  const double capped = std::min(std::ceil(*max_uses), static_cast<double>(kMaxWebSearches));
  return static_cast<std::int64_t>(capped);
}

std::int64_t add_searches(std::int64_t a, std::int64_t b) {
  const auto clamp = [](std::int64_t n) { return std::clamp<std::int64_t>(n, 0, kMaxWebSearches); };
  return std::min(kMaxWebSearches, clamp(a) + clamp(b));
}

double web_search_cost(std::int64_t searches, double fee) {
  return searches > 0 ? static_cast<double>(searches) * fee : 0.0;
}

}  // namespace tollgate::core
