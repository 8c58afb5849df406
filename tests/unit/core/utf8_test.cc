#include <catch2/catch.hpp>

#include "core/json_parse.h"
#include "core/utf8.h"

using namespace tollgate::core;

TEST_CASE("is_utf8 accepts well-formed UTF-8 only, like the JSON parse", "[core][utf8]") {
  struct Row {
    const char* name;
    std::string text;
    bool ok;
  };
  const Row rows[] = {
      {"empty", "", true},
      {"ASCII", "plain text", true},
      {"2-byte", "caf\xc3\xa9", true},
      {"3-byte", "\xe6\x97\xa5\xe6\x9c\xac", true},
      {"4-byte", "\xf0\x9f\x98\x80", true},
      {"U+0080", "\xc2\x80", true},
      {"U+0800", "\xe0\xa0\x80", true},
      {"U+D7FF", "\xed\x9f\xbf", true},
      {"U+E000", "\xee\x80\x80", true},
      {"U+FFFF", "\xef\xbf\xbf", true},
      {"U+10000", "\xf0\x90\x80\x80", true},
      {"U+10FFFF", "\xf4\x8f\xbf\xbf", true},
      {"0xFF", "a\xff", false},
      {"0xFE", "\xfe", false},
      {"lone continuation byte", "\x80", false},
      {"overlong slash (2 bytes)", "\xc0\xaf", false},
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
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(is_utf8(row.text) == row.ok);
    rapidjson::Document doc;
    CHECK(parse_json("\"" + row.text + "\"", doc).has_value() != row.ok);
  }
}
