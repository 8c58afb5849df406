// The exposure record's text (cluster/exposure_log.h keeps it in Redis): every field survives,
// the first version's usd-only records still read, anything else is refused.
#include <catch2/catch.hpp>

#include <string>

#include "core/lease_handover.h"

using namespace tollgate::core;

TEST_CASE("exposure record: every field round-trips exactly", "[lease][exposure]") {
  Exposure e;
  e.held = {0.1 + 0.2, 7, 123456789012, 3};
  e.unflushed_usd = 1.0 / 3;
  e.recent_requests = 42;
  e.recent_tokens = 9000;
  const auto text = encode_exposure(e);
  CHECK(text.rfind("3 ", 0) == 0);
  const auto back = decode_exposure(text);
  REQUIRE(back);
  CHECK(*back == e);  // bit-exact doubles
}

TEST_CASE("exposure record: a bare number is the first version's usd", "[lease][exposure]") {
  const auto back = decode_exposure("0.25");
  REQUIRE(back);
  CHECK(back->held.usd == 0.25);
  CHECK(back->held.requests == 0);
  CHECK(back->unflushed_usd == 0);
}

TEST_CASE("exposure record: the second version (no recent use) still reads", "[lease][exposure]") {
  const auto back = decode_exposure("2 0.5 3 100 2 0.25");
  REQUIRE(back);
  CHECK(back->held.usd == 0.5);
  CHECK(back->held.requests == 3);
  CHECK(back->held.tokens == 100);
  CHECK(back->held.parallel == 2);
  CHECK(back->unflushed_usd == 0.25);
  CHECK(back->recent_requests == 0);
}

TEST_CASE("exposure record: unreadable text is refused", "[lease][exposure]") {
  for (const char* text : {"", "x", "2", "2 1 2 3", "2 1 2 3 4 5 6", "3 1 2 3 4 5", "3 1 2 3 4 5 6",
                           "3 1 2 3 4 5 6 7 8", "4 1 2 3 4 5 6 7", "2 a 2 3 4 5", "2 1 2 3 4 5x"}) {
    INFO(text);
    // "2" alone is a version-1 record of $2: readable, and said so.
    if (std::string(text) == "2") {
      CHECK(decode_exposure(text)->held.usd == 2);
      continue;
    }
    CHECK_FALSE(decode_exposure(text));
  }
}
