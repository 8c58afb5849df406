// Tollgate's service-account token request against google-auth-library's: the expected
// assertions, form bodies and refresh margin in fixtures/google_oauth_vectors.json were
// produced by gtoken (the token fetcher of google-auth-library's JWT client) with a fixed clock
// (node tests/e2e/oracle/google_vectors.mjs). RS256 is deterministic, so the assertion must be
// the same bytes. The key in the fixture is a throwaway generated for the test.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "providers/json_util.h"
#include "providers/vertex/service_account.h"
#include "translation_test_support.h"

using namespace tollgate;
using namespace tollgate::providers::vertex;

namespace {

rapidjson::Document oracle_vectors() {
  std::ifstream in(TOLLGATE_SOURCE_DIR "/tests/unit/providers/fixtures/google_oauth_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  auto d = testing::parse_json(text.str());
  REQUIRE(d.IsObject());
  return d;
}

std::string str(const rapidjson::Value& v, const char* name) { return v[name].GetString(); }

}  // namespace

TEST_CASE("the JWT-bearer assertion and token request are byte for byte google-auth-library's",
          "[providers][vertex][oracle]") {
  const auto oracle = oracle_vectors();
  for (const auto& v : oracle["vectors"].GetArray()) {
    ServiceAccount account;
    account.client_email = str(v, "client_email");
    account.private_key = str(oracle, "private_key");
    account.token_uri = str(v, "token_uri");  // gtoken's audience and endpoint
    const auto assertion = jwt_bearer_assertion(account, str(v, "scope"), v["iat"].GetInt64());
    REQUIRE(assertion);
    CHECK(*assertion == str(v, "assertion"));
    CHECK(token_request_body(*assertion) == str(v, "form_body"));
    CHECK(str(v, "content_type") == "application/x-www-form-urlencoded");
    // gtoken: expires at iat + expires_in; refreshed eagerRefreshThresholdMillis before.
    const auto token = parse_token_response(R"({"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"})",
                                            v["iat"].GetInt64());
    REQUIRE(token);
    CHECK(token->expires_at * 1000 == v["expires_at_ms"].GetInt64());
  }
  CHECK(kRefreshMarginSeconds * 1000 == oracle["eager_refresh_threshold_ms"].GetInt64());
}

TEST_CASE("service-account key files: the fields the grant needs, refusals that never quote the key",
          "[providers][vertex]") {
  const auto oracle = oracle_vectors();
  rapidjson::Document file(rapidjson::kObjectType);
  auto& a = file.GetAllocator();
  file.AddMember("type", "service_account", a);
  file.AddMember("project_id", "tollgate-project", a);
  file.AddMember("client_email", "svc@tollgate-project.iam.gserviceaccount.com", a);
  file.AddMember("private_key", rapidjson::Value(oracle["private_key"], a), a);
  auto account = parse_service_account(providers::json::serialize(file));
  REQUIRE(account);
  CHECK(account->project_id == "tollgate-project");
  CHECK(account->token_uri == kGoogleTokenUri);

  CHECK_FALSE(parse_service_account(R"({"type":"authorized_user","client_email":"a","private_key":"k"})"));
  CHECK_FALSE(parse_service_account(R"({"type":"service_account","private_key":"k"})"));
  CHECK_FALSE(parse_service_account("not json"));
  ServiceAccount broken;
  broken.client_email = "a@b";
  broken.private_key = "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----\n";
  broken.token_uri = std::string(kGoogleTokenUri);
  const auto refused = jwt_bearer_assertion(broken, kCloudPlatformScope, 0);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("not-a-key") == std::string::npos);
}

TEST_CASE("access tokens: parsed with their expiry, refreshed five minutes early", "[providers][vertex]") {
  const auto token = parse_token_response(R"({"access_token":"ya29.t","expires_in":3600})", 1000);
  REQUIRE(token);
  CHECK(token->token == "ya29.t");
  CHECK(token->expires_at == 4600);
  CHECK_FALSE(needs_refresh(*token, 4299));
  CHECK(needs_refresh(*token, 4300));
  CHECK(needs_refresh(AccessToken{}, 0));
  const auto refused = parse_token_response(R"({"error":"invalid_grant","error_description":"Invalid JWT"})", 0);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().status == 502);
  CHECK_THAT(refused.error().message, Catch::Contains("invalid_grant"));
}
