#include "core/utf8.h"

#include <cstdint>
#include <cstring>

namespace tollgate::core {
namespace {

bool in(unsigned char c, unsigned char low, unsigned char high) { return c >= low && c <= high; }

// The length of the sequence starting at `text[i]`, or 0 when it is not well-formed. The
// ranges of the second byte are RFC 3629's table: they exclude overlongs and surrogates.
std::size_t sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = at(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (in(lead, 0xC2, 0xDF)) {
    length = 2;
  } else if (in(lead, 0xE0, 0xEF)) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (in(lead, 0xF0, 0xF4)) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }
  if (i + length > text.size() || !in(at(1), low, high)) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!in(at(k), 0x80, 0xBF)) return 0;
  }
  return length;
}

// The first index from `i` on that is not in a run of eight ASCII bytes. Most text is ASCII
// and every request body passes here: eight bytes per step instead of one.
std::size_t skip_ascii(std::string_view text, std::size_t i) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::uint64_t word = 0;
  while (i + sizeof word <= text.size()) {
    std::memcpy(&word, text.data() + i, sizeof word);
    if ((word & kHighBits) != 0) break;
    i += sizeof word;
  }
  return i;
}

}  // namespace

bool is_utf8(std::string_view text) {
  for (std::size_t i = skip_ascii(text, 0); i < text.size(); i = skip_ascii(text, i)) {
    const auto length = sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace tollgate::core
