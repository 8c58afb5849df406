#include "persistence/sql.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "persistence/errors.h"

namespace tollgate::persistence {
namespace {

[[noreturn]] void conversion_failed(std::size_t i, const char* wanted) {
  throw StoreError("column " + std::to_string(i) + " is not " + wanted);
}

}  // namespace

std::string real_to_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

const SqlValue& SqlRow::at(std::size_t i) const {
  if (i >= values.size()) {
    throw StoreError("column " + std::to_string(i) + " out of range");
  }
  return values[i];
}

bool SqlRow::is_null(std::size_t i) const { return std::holds_alternative<std::monostate>(at(i)); }

std::string SqlRow::text(std::size_t i) const {
  const SqlValue& v = at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  if (const auto* d = std::get_if<double>(&v)) return real_to_text(*d);
  conversion_failed(i, "text (NULL)");
}

std::int64_t SqlRow::int64(std::size_t i) const {
  const SqlValue& v = at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::trunc(*d) == *d) return static_cast<std::int64_t>(*d);
    conversion_failed(i, "an integer");
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    char* end = nullptr;
    const long long parsed = std::strtoll(s->c_str(), &end, 10);
    if (!s->empty() && end && *end == '\0') return parsed;
    conversion_failed(i, "an integer");
  }
  conversion_failed(i, "an integer (NULL)");
}

double SqlRow::real(std::size_t i) const {
  const SqlValue& v = at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) {
    char* end = nullptr;
    const double parsed = std::strtod(s->c_str(), &end);
    if (!s->empty() && end && *end == '\0') return parsed;
    conversion_failed(i, "a number");
  }
  conversion_failed(i, "a number (NULL)");
}

std::optional<std::string> SqlRow::optional_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<std::int64_t> SqlRow::optional_int64(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return int64(i);
}

std::optional<double> SqlRow::optional_real(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return real(i);
}

}  // namespace tollgate::persistence
