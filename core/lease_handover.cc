#include "core/lease_handover.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace tollgate::core {
namespace {

// Numbers as text that parse back to the same double (%.17g round-trips any IEEE double).
std::string number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace

std::string encode_exposure(const Exposure& e) {
  return "3 " + number(e.held.usd) + " " + std::to_string(e.held.requests) + " " + std::to_string(e.held.tokens) + " " +
         std::to_string(e.held.parallel) + " " + number(e.unflushed_usd) + " " + std::to_string(e.recent_requests) +
         " " + std::to_string(e.recent_tokens);
}

std::optional<Exposure> decode_exposure(std::string_view text) {
  const std::string s(text);
  const char* p = s.c_str();
  char* end = nullptr;
  auto next_double = [&](double& out) {
    out = std::strtod(p, &end);
    if (end == p) return false;
    p = end;
    return true;
  };
  auto next_int = [&](std::int64_t& out) {
    out = std::strtoll(p, &end, 10);
    if (end == p) return false;
    p = end;
    return true;
  };
  Exposure e;
  double first = 0;
  if (!next_double(first)) return std::nullopt;
  if (*p == '\0') {  // a version-1 record: usd only
    e.held.usd = first;
    return e;
  }
  if (first != 2 && first != 3) return std::nullopt;
  if (!next_double(e.held.usd) || !next_int(e.held.requests) || !next_int(e.held.tokens) ||
      !next_int(e.held.parallel) || !next_double(e.unflushed_usd)) {
    return std::nullopt;
  }
  if (first == 3 && (!next_int(e.recent_requests) || !next_int(e.recent_tokens))) return std::nullopt;
  if (*p != '\0') return std::nullopt;
  return e;
}

}  // namespace tollgate::core
