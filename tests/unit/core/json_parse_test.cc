#include <catch2/catch.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json_parse.h"
#include "tests/unit/core/utf8_samples.h"

using namespace tollgate::core;

namespace {

std::string arrays(int depth, const std::string& inside = "") {
  return std::string(depth, '[') + inside + std::string(depth, ']');
}

// {"a":{"a":...{}...}}: `depth` objects.
std::string objects(int depth) {
  std::string out;
  for (int i = 1; i < depth; ++i) out += R"({"a":)";
  out += "{}";
  out += std::string(depth - 1, '}');
  return out;
}

std::optional<JsonParseError> parse(const std::string& text, JsonParseOptions options = {}) {
  rapidjson::Document doc;
  return parse_json(text, doc, options);
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

TEST_CASE("parse_json: nesting up to the limit passes, one level more fails", "[core][json]") {
  struct Row {
    std::string text;
    int max_depth;
    bool ok;
  };
  const Row rows[] = {
      {"{}", 1, true},
      {"[]", 1, true},
      {"1", 1, true},  // a scalar root has no level
      {R"({"a":{}})", 1, false},
      {R"({"a":[1,2,{"b":3}]})", 3, true},
      {R"({"a":[1,2,{"b":3}]})", 2, false},
      {arrays(64), 64, true},
      {arrays(65), 64, false},
      {objects(64), 64, true},
      {objects(65), 64, false},
      {R"({"metadata":)" + arrays(63) + "}", 64, true},
      {R"({"metadata":)" + arrays(64) + "}", 64, false},
      // Siblings do not add up: depth is nesting, not count.
      {"[" + arrays(63) + "," + arrays(63) + "," + arrays(63) + "]", 64, true},
      {arrays(1000), 1000, true},
      {arrays(1001), 1000, false},
  };
  for (const auto& row : rows) {
    INFO(row.text.substr(0, 80) << " max " << row.max_depth);
    const auto error = parse(row.text, {row.max_depth});
    CHECK(error.has_value() != row.ok);
    if (error) {
      CHECK_THAT(error->message, Catch::Contains("deeper than " + std::to_string(row.max_depth) + " levels"));
    }
  }
}

TEST_CASE("parse_json: 100,000 levels fail without touching the stack", "[core][json]") {
  for (const auto& text :
       {arrays(100000), objects(100000), std::string(100000, '['), R"({"metadata":{"a":)" + arrays(100000) + "}}"}) {
    for (const int max_depth : {64, 1000}) {
      const auto error = parse(text, {max_depth});
      REQUIRE(error.has_value());
      CHECK_THAT(error->message, Catch::Contains("deeper than"));
    }
  }
  // Even without a practical limit the parse itself does not recurse.
  rapidjson::Document doc;
  CHECK_FALSE(parse_json(arrays(100000), doc, {1 << 30}).has_value());
  CHECK(doc.IsArray());
}

TEST_CASE("parse_json: a depth error names the top-level member", "[core][json]") {
  const auto error = parse(R"({"model":"m","metadata":{"a":)" + arrays(100) + "}}");
  REQUIRE(error.has_value());
  CHECK(error->field == "metadata");
  CHECK_THAT(error->message, Catch::StartsWith("JSON is nested deeper than 64 levels in 'metadata' (at offset "));
  CHECK(parse(arrays(100))->field == "");  // a root array has no member to name
}

TEST_CASE("parse_json: a document at the configurable maximum copies and serializes", "[core][json]") {
  // Copies and writers recurse per level; kMaxConfigurableJsonDepth levels must be safe for them.
  const auto text = arrays(kMaxConfigurableJsonDepth);
  rapidjson::Document doc;
  REQUIRE_FALSE(parse_json(text, doc, {kMaxConfigurableJsonDepth}).has_value());
  rapidjson::Document copy;
  copy.CopyFrom(doc, copy.GetAllocator());
  CHECK(serialize(copy) == text);
}

TEST_CASE("parse_json: strings and member names must be UTF-8, like core::is_utf8", "[core][json]") {
  for (const auto& sample : tollgate::testing::utf8_samples()) {
    INFO(sample.name);
    const auto error = parse("{\"field\":\"" + sample.bytes + "\"}");
    CHECK(error.has_value() != sample.valid);
    if (error) {
      CHECK(error->field == "field");
      CHECK_THAT(error->message, Catch::StartsWith("Text is not valid UTF-8 in 'field' (at offset "));
    }
    CHECK(parse("{\"" + sample.bytes + "\":1}").has_value() != sample.valid);
  }
}

TEST_CASE("parse_json: unicode escapes must decode to UTF-8 too", "[core][json]") {
  struct Row {
    const char* name;
    const char* text;  // the content of a JSON string
    bool ok;
  };
  const Row rows[] = {
      {"escaped 2-byte", "\\u00e9", true},
      {"escaped surrogate pair", "\\ud83d\\ude00", true},
      {"escaped NUL (refused later, for identifiers only)", "a\\u0000b", true},
      {"escaped lone low surrogate", "\\udc00", false},
      {"escaped lone high surrogate", "\\ud800", false},
      {"escaped high surrogate then a letter", "\\ud800\\u0041", false},
      {"escaped surrogates reversed", "\\ude00\\ud83d", false},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto error = parse(std::string("{\"field\":\"") + row.text + "\"}");
    CHECK(error.has_value() != row.ok);
    if (error) {
      CHECK(error->field == "field");
      CHECK_THAT(error->message, Catch::Contains("surrogate") && Catch::Contains("in 'field'"));
    }
    CHECK(parse(std::string("{\"") + row.text + "\":1}").has_value() != row.ok);
  }
}

TEST_CASE("parse_json: an encoding error names the field where it is", "[core][json]") {
  struct Row {
    std::string text;
    std::string field;
    const char* where;
  };
  const Row rows[] = {
      {"{\"key_alias\":\"\xff\"}", "key_alias", "in 'key_alias'"},
      {"{\"a\":{\"b\":[1,\"x\",\"\xff\"]}}", "a.b[2]", "in 'a.b[2]'"},
      {"{\"messages\":[{\"role\":\"user\",\"content\":\"ok\"},{\"content\":\"\xc0\x80\"}]}", "messages[1].content",
       "in 'messages[1].content'"},
      {"{\"a\":1,\"b\":[[],{}],\"c\":\"\\udc00\"}", "c", "in 'c'"},
      {"{\"metadata\":{\"\xff\":1}}", "metadata", "in a member name of 'metadata'"},
      {"{\"\xff\":1}", "", "in a member name ("},
      {"\"\xff\"", "", "UTF-8 (at offset"},
      {"[\"a\",\"\xff\"]", "[1]", "in '[1]'"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    const auto error = parse(row.text);
    REQUIRE(error.has_value());
    CHECK(error->field == row.field);
    CHECK_THAT(error->message, Catch::Contains(row.where));
  }
}

TEST_CASE("parse_json: long field paths are cut at a character boundary", "[core][json]") {
  const std::string key(300, 'k');
  for (int pad = 0; pad < 3; ++pad) {
    // Two-byte characters around byte 200: for some pad the cut falls inside one.
    const std::string name = std::string(197 + pad, 'p') + "\xc3\xa9\xc3\xa9\xc3\xa9";
    const auto error = parse("{\"" + name + "\":\"\xff\"}");
    REQUIRE(error.has_value());
    CHECK(error->field.size() <= 203);
    CHECK_THAT(error->field, Catch::EndsWith("..."));
    CHECK_FALSE(parse("{\"f\":\"" + error->field + "\"}").has_value());  // still UTF-8
  }
  CHECK(parse("{\"" + key + "\":\"\xff\"}")->field.size() <= 203);
}

TEST_CASE("parse_json: syntax errors keep RapidJSON's description and the offset", "[core][json]") {
  const auto error = parse("{not json");
  REQUIRE(error.has_value());
  CHECK_THAT(error->message, Catch::StartsWith("Invalid JSON: "));
  CHECK_THAT(error->message, Catch::EndsWith("(at offset 1)"));
  CHECK(error->offset == 1);
  CHECK(error->field.empty());
  CHECK(parse("").has_value());
  CHECK(parse("{} x").has_value());
  CHECK(parse("[1,]").has_value());
}

TEST_CASE("parse_json: a success fills the document, a failure leaves it as it was", "[core][json]") {
  rapidjson::Document doc;
  REQUIRE_FALSE(parse_json(R"({"a":[1,2.5,"x\u00e9",true,null],"b":{"c":-3}})", doc).has_value());
  CHECK(serialize(doc) == "{\"a\":[1,2.5,\"x\xc3\xa9\",true,null],\"b\":{\"c\":-3}}");
  CHECK(parse_json("{\"a\":\"\xff\"}", doc).has_value());
  CHECK(doc.IsObject());
  CHECK(doc["b"]["c"].GetInt() == -3);
}

TEST_CASE("parse_json options: bytes passed through, text after the first value", "[core][json]") {
  rapidjson::Document doc;
  const JsonParseOptions raw{kDefaultMaxJsonDepth, false, false};
  REQUIRE_FALSE(parse_json("{\"a\":\"\xff\"}", doc, raw).has_value());
  CHECK(std::string(doc["a"].GetString()) == "\xff");
  CHECK(parse_json(arrays(65), doc, raw).has_value());  // the depth limit still holds

  const JsonParseOptions leading{kDefaultMaxJsonDepth, true, true};
  CHECK_FALSE(parse_json(R"({"a":1} trailing text)", doc, leading).has_value());
  CHECK(doc["a"].GetInt() == 1);
  CHECK(parse_json(R"({"a":1} trailing text)", doc).has_value());
  CHECK_FALSE(parse_json("{\"a\":2} \xff", doc, leading).has_value());  // what follows is not read
  CHECK(doc["a"].GetInt() == 2);
  const auto error = parse_json("{\"a\":\"\xff\"} x", doc, leading);
  REQUIRE(error.has_value());
  CHECK(error->field == "a");
}

// The gateway reads a member with FindMember (the first); providers read the last. A body
// with a member twice ({"model":"cheap","model":"dear"}, or max_tokens twice) would be checked
// and priced as one thing and run as another, so it is refused.
TEST_CASE("parse_json: a member name twice in one object is refused", "[core][json]") {
  const auto top = parse(R"({"model":"cheap","max_tokens":1,"model":"dear"})");
  REQUIRE(top.has_value());
  CHECK_THAT(top->message, Catch::StartsWith("JSON object has the member 'model' twice"));
  CHECK(top->field == "model");

  const auto nested = parse(R"({"messages":[{"role":"user","content":"x","role":"system"}]})");
  REQUIRE(nested.has_value());
  CHECK(nested->field == "messages[0].role");

  std::string wide = "{";  // beyond the pairwise check: found when the object ends
  for (int i = 0; i < 200; ++i) wide += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  CHECK_FALSE(parse(wide + "\"end\":0}").has_value());
  CHECK(parse(wide + "\"k7\":0}").has_value());

  CHECK(parse(R"({"a":{"b":1},"c":{"b":2},"b":[{"b":1},{"b":2}]})") == std::nullopt);  // other objects
  CHECK(parse(R"({"a":1,"A":2,"a ":3})") == std::nullopt);
  CHECK(parse(R"({"a":1,"\u0061":2})").has_value());  // the same name, escaped
  const JsonParseOptions raw{kDefaultMaxJsonDepth, false, false};
  CHECK(parse(R"({"a":1,"a":2})", raw).has_value());

  rapidjson::Document doc;
  REQUIRE_FALSE(parse_json(R"({"x":1})", doc).has_value());
  CHECK(parse_json(R"({"y":1,"y":2})", doc).has_value());
  CHECK(doc["x"].GetInt() == 1);  // a refused document leaves the one held as it was
}
