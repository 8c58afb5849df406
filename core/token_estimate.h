#pragma once
// Token counts of text without a tokenizer: one pass over the bytes, no allocation.
//
// Two different numbers, for two different uses:
// - the *upper bound* (budget reservations, core/token_bound.h) is the UTF-8 byte count: a
//   byte-level BPE (OpenAI's, Anthropic's, Llama 3's) never yields more tokens than bytes,
//   since every token stands for at least one byte;
// - the *typical* count (tpm estimates, usage of calls the provider did not report) is what a
//   tokenizer usually yields: about 4 bytes per token of ASCII text (OpenAI's rule of thumb)
//   and one token per character of other scripts (a Chinese character is 3 bytes and about
//   one token), so Chinese text is not undercounted threefold.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tollgate::core {

// ASCII bytes / 4, rounded up.
inline std::int64_t estimate_tokens_for_bytes(std::size_t bytes) { return static_cast<std::int64_t>((bytes + 3) / 4); }

// Typical tokens of UTF-8 text: ASCII bytes / 4 (rounded up) plus one per non-ASCII character
// (counted by its lead byte; continuation bytes are 10xxxxxx). Never more than the bytes.
inline std::int64_t estimate_tokens(std::string_view text) {
  std::size_t ascii = 0;
  std::size_t other_characters = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    ascii += byte < 0x80;
    other_characters += byte >= 0xC0;
  }
  return estimate_tokens_for_bytes(ascii) + static_cast<std::int64_t>(other_characters);
}

}  // namespace tollgate::core
