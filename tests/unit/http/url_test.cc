#include <catch2/catch.hpp>

#include "http/url.h"

using namespace tollgate::http;

TEST_CASE("url decoding", "[http][url]") {
  CHECK(url_decode("a%20b+c") == "a b c");
  CHECK(url_decode("%2Fx%2f") == "/x/");
  CHECK_FALSE(url_decode("%").has_value());
  CHECK_FALSE(url_decode("%2").has_value());
  CHECK_FALSE(url_decode("%zz").has_value());
}

TEST_CASE("query parameters", "[http][url]") {
  const std::string q = "page=2&size=10&key_alias=my%20key&empty=&flag";
  CHECK(*query_value(q, "page") == "2");
  CHECK(*query_value(q, "key_alias") == "my key");
  CHECK(*query_value(q, "empty") == "");
  CHECK(*query_value(q, "flag") == "");
  CHECK_FALSE(query_value(q, "missing")->has_value());
  CHECK_FALSE(query_value("", "a")->has_value());
}

TEST_CASE("a malformed escape in a query parameter is a 400 naming it, not an absent parameter", "[http][url]") {
  const auto bad = query_value("user_id=%zz&page=1", "user_id");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().status == 400);
  CHECK(bad.error().param == "user_id");
  CHECK(*query_value("user_id=%zz&page=1", "page") == "1");  // only the malformed one is refused
}
