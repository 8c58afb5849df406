#pragma once
// The result of translating a body between provider APIs.
#include <string>

namespace tollgate::providers {

struct Translation {
  std::string body;
  std::string error;  // non-empty: a client-facing message (the request could not be translated)
  bool ok() const { return error.empty(); }
};

inline Translation translation_error(std::string message) { return Translation{{}, std::move(message)}; }

}  // namespace tollgate::providers
