#pragma once
// A fast token estimate for budget reservations and for providers that report no usage.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tollgate::core {

// About 4 bytes of English text per token (OpenAI's rule of thumb), rounded up; at least 1 for
// non-empty text. Deliberately simple: reservations only need an upper-ish bound, and the real
// usage reported by the provider replaces it on settle.
inline std::int64_t estimate_tokens_for_bytes(std::size_t bytes) {
  return static_cast<std::int64_t>((bytes + 3) / 4);
}

inline std::int64_t estimate_tokens(std::string_view text) { return estimate_tokens_for_bytes(text.size()); }

}  // namespace tollgate::core
