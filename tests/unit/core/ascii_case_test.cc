#include "core/ascii_case.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace tollgate::core;

TEST_CASE("ascii case folding changes only A-Z", "[unit][ascii_case]") {
  CHECK(ascii_lower("HTTPS://Example.COM:443/Path") == "https://example.com:443/path");
  CHECK(ascii_lower("") == "");
  CHECK(ascii_lower("az09-_.~@[]") == "az09-_.~@[]");
  // Bytes past ASCII stay as they are: "É" in UTF-8, and the byte 0xC9 (É in Latin-1).
  CHECK(ascii_lower("\xC3\x89T\xC9") == "\xC3\x89t\xC9");
  CHECK(ascii_lower('@') == '@');  // the byte before 'A'
  CHECK(ascii_lower('[') == '[');  // the byte after 'Z'
}

TEST_CASE("ascii case-insensitive comparisons", "[unit][ascii_case]") {
  struct Row {
    const char* text;
    const char* other;
    bool equal;
    bool starts;
    bool contains;
  };
  const std::vector<Row> rows = {
      {"Bearer sk-1", "bearer ", false, true, true},
      {"BEARER", "bearer ", false, false, false},
      {"data:Image/PNG;base64,", "data:image/", false, true, true},
      {"application/JWT", "application/jwt", true, true, true},
      {"my-Team-Key", "team", false, false, true},
      {"", "", true, true, true},
      {"abc", "", false, true, true},
      {"\xC3\x89t\xC3\xA9", "\xC3\xA9t\xC3\xA9", false, false, false},  // not Unicode folding
      {"@", "`", false, false, false},                                  // the bytes before 'A' and 'a' are not a pair
  };
  for (const auto& row : rows) {
    INFO(row.text << " / " << row.other);
    CHECK(ascii_iequals(row.text, row.other) == row.equal);
    CHECK(ascii_istarts_with(row.text, row.other) == row.starts);
    CHECK(ascii_icontains(row.text, row.other) == row.contains);
  }
}
