// tollgate-mock's Google OAuth2 token endpoint answers the request google-auth-library sends
// (the form body recorded from gtoken in fixtures/google_oauth_vectors.json) and refuses others.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/unit/providers/translation_test_support.h"
#include "tools/mock/endpoint.h"
#include "tools/mock/google_token.h"

using namespace tollgate;

TEST_CASE("tollgate-mock's token endpoint grants google-auth-library's JWT-bearer request", "[mock][vertex]") {
  std::ifstream in(TOLLGATE_SOURCE_DIR "/tests/unit/providers/fixtures/google_oauth_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto oracle = testing::parse_json(text.str());
  REQUIRE(oracle.IsObject());
  const std::string form = oracle["vectors"][0]["form_body"].GetString();
  CHECK(mock::classify("POST", "/token") == mock::Endpoint::google_token);
  CHECK(mock::classify("POST", "/oauth2/v4/token") == mock::Endpoint::google_token);
  CHECK(mock::classify("GET", "/token") == mock::Endpoint::not_found);

  const auto granted = mock::answer_token_request(form, 7);
  CHECK(granted.status == 200);
  const auto body = testing::parse_json(granted.body);
  CHECK(std::string(body["access_token"].GetString()) == "ya29.mock-7");
  CHECK(body["expires_in"].GetInt() == 3599);
  CHECK(std::string(body["token_type"].GetString()) == "Bearer");

  for (const std::string& bad : {
           std::string("grant_type=client_credentials&assertion=a.b.c"),
           std::string("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c"),
           std::string(
               "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOiJSUzI1NiJ9.x"),
           std::string("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"),
       }) {
    const auto refused = mock::answer_token_request(bad, 1);
    CHECK(refused.status == 400);
    CHECK_THAT(refused.body, Catch::Contains("invalid_grant"));
  }
}
