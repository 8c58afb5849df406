// The edge parse of every JSON body: a Status that is the client's 400, naming the field.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <string>

#include "api/json_body.h"

using namespace tollgate;

TEST_CASE("parse_json_object fills the document or fails with the client's 400", "[api][json]") {
  struct Row {
    const char* name;
    std::string body;
    const char* message;  // empty: accepted
    const char* param;
  };
  const Row rows[] = {
      {"an object", R"({"model":"m"})", "", ""},
      {"nothing", "", "Request body is empty; expected a JSON object.", ""},
      {"an array", "[1]", "Request body must be a JSON object.", ""},
      {"not UTF-8", "{\"model\":\"\xff\"}", "Text is not valid UTF-8 in 'model'", "model"},
      {"too deep", R"({"a":{"b":{"c":1}}})", "JSON is nested deeper than 2 levels in 'a'", "a"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    rapidjson::Document doc;
    const auto parsed = api::parse_json_object(row.body, doc, 2);
    if (std::string(row.message).empty()) {
      CHECK(parsed.ok());
      CHECK(doc.IsObject());
      continue;
    }
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().status == 400);
    CHECK(parsed.error().type == "invalid_request_error");
    CHECK_THAT(parsed.error().message, Catch::StartsWith(row.message));
    CHECK(parsed.error().param == row.param);
  }
}

TEST_CASE("refuse_nul fails with a 400 naming the field only when the text holds a NUL", "[api][json]") {
  CHECK(api::refuse_nul("plain", "key_alias").ok());
  const auto refused = api::refuse_nul(std::string("a\0b", 3), "key_alias");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().status == 400);
  CHECK(refused.error().param == "key_alias");
  CHECK(refused.error().message == "'key_alias' must not contain a NUL character (\\u0000)");
}
