#include "core/result.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

using tollgate::core::Result;
using tollgate::core::Status;

TEST_CASE("a Result holds a value or the client error, never both", "[core][result]") {
  Result<std::string> good = std::string("value");
  REQUIRE(good.ok());
  CHECK(*good == "value");
  CHECK(good->size() == 5);

  Result<std::string> bad = tollgate::core::bad_request("no model", "model");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().status == 400);
  CHECK(bad.error().param == "model");
}

TEST_CASE("a Result gives up a move-only value", "[core][result]") {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  auto taken = std::move(r).value();
  REQUIRE(taken);
  CHECK(*taken == 7);
}

TEST_CASE("Status is done or an error", "[core][result]") {
  Status done;
  CHECK(done.ok());
  Status refused = tollgate::core::forbidden("not yours");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().status == 403);
}
