// tollgate-mock's Google OAuth2 token endpoint over loopback: the form google-auth-library's
// gtoken posts (recorded in the unit fixtures) is granted a fresh token each time; a request
// that is not a JWT-bearer grant is refused as Google refuses it.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <rapidjson/document.h>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"

using namespace tollgate::testing;

TEST_CASE("tollgate-mock grants service-account tokens over HTTP", "[integration][vertex]") {
  std::ifstream in(TOLLGATE_SOURCE_DIR "/tests/unit/providers/fixtures/google_oauth_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document oracle;
  oracle.Parse(text.str().c_str());
  REQUIRE(oracle.IsObject());
  const std::string form = oracle["vectors"][0]["form_body"].GetString();
  const HeaderList headers{{"content-type", "application/x-www-form-urlencoded"}};

  MockUpstream mock;
  const auto first = http_request(mock.port(), "POST", "/token", form, headers);
  const auto second = http_request(mock.port(), "POST", "/oauth2/v4/token", form, headers);
  REQUIRE(first.status == 200);
  REQUIRE(second.status == 200);
  CHECK_THAT(first.body, Catch::Contains("\"access_token\":\"ya29.mock-"));
  CHECK(first.body != second.body);  // each grant is a new token
  const auto last = mock.last();
  CHECK(std::string(last["path"].GetString()) == "/oauth2/v4/token");

  const auto refused = http_request(mock.port(), "POST", "/token", "grant_type=password&username=x", headers);
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body, Catch::Contains("invalid_grant"));
}
