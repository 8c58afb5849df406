#include <catch2/catch.hpp>

#include <set>

#include "core/request_id.h"

using namespace tollgate::core;

TEST_CASE("client request ids are kept when well formed", "[core][request_id]") {
  CHECK(choose_request_id("abc-123_x.y:z") == "abc-123_x.y:z");
  CHECK(is_well_formed_request_id(std::string(128, 'a')));
}

TEST_CASE("malformed client request ids are replaced", "[core][request_id]") {
  for (const std::string& bad : {std::string(), std::string(129, 'a'), std::string("a b"), std::string("a\"b"),
                                 std::string("a\r\nb"), std::string("é")}) {
    INFO(bad);
    CHECK_FALSE(is_well_formed_request_id(bad));
    const auto chosen = choose_request_id(bad);
    CHECK(chosen != bad);
    CHECK(is_well_formed_request_id(chosen));
  }
}

TEST_CASE("generated ids look like UUIDv4 and do not repeat", "[core][request_id]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const auto id = generate_request_id();
    REQUIRE(id.size() == 36);
    REQUIRE(id[14] == '4');
    REQUIRE(seen.insert(id).second);
  }
}

TEST_CASE("time-ordered ids sort in the order they were made, within one millisecond too", "[core][request_id]") {
  std::string previous = generate_time_ordered_id();
  for (int i = 0; i < 20'000; ++i) {  // thousands per millisecond: the counter runs and rolls over
    const auto next = generate_time_ordered_id();
    REQUIRE(next > previous);
    REQUIRE(next[14] == '7');  // still version 7
    previous = next;
  }
}
