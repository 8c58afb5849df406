#include <catch2/catch.hpp>

#include "http/response.h"

using tollgate::http::header_value;
using tollgate::http::Headers;

TEST_CASE("a header is found whatever the case of its name, the first of several", "[http][header_value]") {
  const Headers headers{{"Content-Type", "text/event-stream"}, {"X-A", "1"}, {"x-a", "2"}};
  CHECK(header_value(headers, "content-type") == "text/event-stream");
  CHECK(header_value(headers, "CONTENT-TYPE") == "text/event-stream");
  CHECK(header_value(headers, "x-a") == "1");
}

TEST_CASE("an absent header is told from an empty one", "[http][header_value]") {
  const Headers headers{{"mcp-session-id", ""}};
  REQUIRE(header_value(headers, "mcp-session-id").has_value());
  CHECK(header_value(headers, "mcp-session-id")->empty());
  CHECK_FALSE(header_value(headers, "content-type").has_value());
  CHECK_FALSE(header_value({}, "content-type").has_value());
}

TEST_CASE("a name is matched whole, not as a prefix, and only ASCII letters fold", "[http][header_value]") {
  const Headers headers{{"content-type-x", "a"}, {"content-typ", "b"}, {"R\xC3\xA9sum\xC3\xA9", "c"}};
  CHECK_FALSE(header_value(headers, "content-type").has_value());
  CHECK(header_value(headers, "r\xC3\xA9SUM\xC3\xA9") == "c");
  CHECK_FALSE(header_value(headers, "r\xC3\x89sum\xC3\xA9").has_value());  // É is not é's ASCII case
}
