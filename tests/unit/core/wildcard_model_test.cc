#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "core/wildcard_model.h"

using namespace tollgate::core;

TEST_CASE("wildcard model: capture", "[core][wildcard_model]") {
  struct Row {
    std::string pattern;
    std::string name;
    std::optional<std::string> captured;
  };
  const Row rows[] = {
      {"openai/*", "openai/gpt-4o", "gpt-4o"},
      {"openai/*", "openai/ft:gpt-4o:org:x", "ft:gpt-4o:org:x"},  // everything after the prefix
      {"openai/*", "openai/a/b", "a/b"},
      {"openai/*", "openai/", std::nullopt},  // the '*' matches at least one character
      {"openai/*", "gpt-4o", std::nullopt},   // a bare name only through a "*" pattern
      {"openai/*", "anthropic/claude", std::nullopt},
      {"openai/*", "OpenAI/gpt-4o", std::nullopt},  // case-sensitive, like model names
      {"*", "gpt-4o", "gpt-4o"},
      {"*", "", std::nullopt},
      {"team-*-fast", "team-a-fast", "a"},
      {"team-*-fast", "team--fast", std::nullopt},
      {"team-*-fast", "team-a-slow", std::nullopt},
      {"a*b", "ab", std::nullopt},
      {"a*b", "aXb", "X"},
      {"openai/gpt-4o", "openai/gpt-4o", std::nullopt},  // not a pattern: exact names are not captures
      {"a*b*", "aXbY", std::nullopt},                    // two '*': not a pattern here
  };
  for (const auto& row : rows) {
    CAPTURE(row.pattern, row.name);
    const auto got = wildcard_capture(row.pattern, row.name);
    REQUIRE(got.has_value() == row.captured.has_value());
    if (got) CHECK(std::string(*got) == *row.captured);
  }
}

TEST_CASE("wildcard model: fill and specificity", "[core][wildcard_model]") {
  CHECK(fill_wildcard("*", "gpt-4o") == "gpt-4o");
  CHECK(fill_wildcard("openai/*", "gpt-4o") == "openai/gpt-4o");
  CHECK(fill_wildcard("fo::*:static", "x") == "fo::x:static");
  CHECK(fill_wildcard("gpt-4o", "x") == "gpt-4o");
  CHECK(is_wildcard_pattern("openai/*"));
  CHECK_FALSE(is_wildcard_pattern("openai/gpt-4o"));
  CHECK_FALSE(is_wildcard_pattern("**"));
  CHECK(wildcard_specificity("openai/gpt-*") > wildcard_specificity("openai/*"));
  CHECK(wildcard_specificity("openai/*") > wildcard_specificity("*"));
}
