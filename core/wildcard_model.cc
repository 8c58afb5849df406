#include "core/wildcard_model.h"

#include <algorithm>

namespace tollgate::core {

bool is_wildcard_pattern(std::string_view name) { return std::count(name.begin(), name.end(), '*') == 1; }

std::optional<std::string_view> wildcard_capture(std::string_view pattern, std::string_view name) {
  if (!is_wildcard_pattern(pattern)) return std::nullopt;
  const auto star = pattern.find('*');
  const auto prefix = pattern.substr(0, star);
  const auto suffix = pattern.substr(star + 1);
  if (name.size() <= prefix.size() + suffix.size()) return std::nullopt;  // the '*' matches at least one character
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (name.substr(name.size() - suffix.size()) != suffix) return std::nullopt;
  return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
}

std::string fill_wildcard(std::string_view target, std::string_view captured) {
  const auto star = target.find('*');
  if (star == std::string_view::npos) return std::string(target);
  std::string out;
  out.reserve(target.size() - 1 + captured.size());
  out.append(target.substr(0, star)).append(captured).append(target.substr(star + 1));
  return out;
}

std::size_t wildcard_specificity(std::string_view pattern) {
  return pattern.size() - static_cast<std::size_t>(std::count(pattern.begin(), pattern.end(), '*'));
}

}  // namespace tollgate::core
