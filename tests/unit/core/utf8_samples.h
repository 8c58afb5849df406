#pragma once
// Byte sequences on both sides of UTF-8's rules (RFC 3629), shared by the tests of
// core::is_utf8 and of the JSON parse, which must agree.
#include <string>
#include <vector>

namespace tollgate::testing {

struct Utf8Sample {
  const char* name;
  std::string bytes;
  bool valid;
};

inline const std::vector<Utf8Sample>& utf8_samples() {
  static const std::vector<Utf8Sample> samples = {
      {"ASCII", "plain text", true},
      {"2-byte", "caf\xc3\xa9", true},
      {"3-byte", "\xe6\x97\xa5\xe6\x9c\xac", true},
      {"4-byte", "\xf0\x9f\x98\x80", true},
      {"U+0080", "\xc2\x80", true},
      {"U+0800", "\xe0\xa0\x80", true},
      {"U+D7FF, the last before the surrogates", "\xed\x9f\xbf", true},
      {"U+E000", "\xee\x80\x80", true},
      {"U+FFFF", "\xef\xbf\xbf", true},
      {"U+10000", "\xf0\x90\x80\x80", true},
      {"U+10FFFF", "\xf4\x8f\xbf\xbf", true},
      {"0xFF", "a\xff", false},
      {"0xFE", "\xfe", false},
      {"lone continuation byte", "\x80", false},
      {"overlong slash (2 bytes)", "\xc0\xaf", false},
      {"overlong NUL (2 bytes)", "\xc0\x80", false},
      {"overlong U+007F (2 bytes)", "\xc1\xbf", false},
      {"overlong (3 bytes)", "\xe0\x80\xaf", false},
      {"overlong U+07FF (3 bytes)", "\xe0\x9f\xbf", false},
      {"overlong (4 bytes)", "\xf0\x80\x80\xaf", false},
      {"overlong U+FFFF (4 bytes)", "\xf0\x8f\xbf\xbf", false},
      {"high surrogate", "\xed\xa0\x80", false},
      {"low surrogate", "\xed\xbf\xbf", false},
      {"above U+10FFFF", "\xf4\x90\x80\x80", false},
      {"F5 lead", "\xf5\x80\x80\x80", false},
      {"truncated 2-byte", "\xc3", false},
      {"truncated 3-byte", "\xe6\x97", false},
      {"truncated 4-byte", "\xf0\x9f\x98", false},
      {"truncated then ASCII", "\xe6\x97x", false},
      {"bad third byte", "\xe6\x97\x41", false},
  };
  return samples;
}

}  // namespace tollgate::testing
