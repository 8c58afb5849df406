// general_settings.enable_jwt_auth + litellm_jwtauth: parsed, checked, and the LiteLLM JWT keys
// Tollgate does not implement still stop start-up.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/support/config_parse.h"

using namespace tollgate;
using namespace tollgate::config;

namespace {

Config parse(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  return testing::parse_test_config(yaml, std::move(env));
}

ConfigError parse_error(const std::string& yaml) { return testing::parse_test_config_error(yaml); }

std::string jwt_yaml(const std::string& lines) {
  return "general_settings:\n  enable_jwt_auth: true\n  litellm_jwtauth:\n" + lines;
}

const std::string kMinimal = "    public_key_url: https://idp.example/jwks\n    audience: tollgate\n";

}  // namespace

TEST_CASE("litellm_jwtauth is read with LiteLLM's names and defaults", "[config][jwt]") {
  const auto c = parse(jwt_yaml(kMinimal + "    issuer: https://idp.example\n"
                                           "    leeway: 30\n"
                                           "    public_key_ttl: 120\n"
                                           "    team_id_jwt_field: client_id\n"
                                           "    roles_jwt_field: resource_access.gw.roles\n"
                                           "    role_mappings: [{role: admins, internal_role: proxy_admin}]\n"
                                           "    enforce_rbac: true\n"
                                           "    team_id_upsert: true\n"));
  const auto& j = c.general.jwt;
  CHECK(j.enabled);
  CHECK(j.public_key_urls == std::vector<std::string>{"https://idp.example/jwks"});
  CHECK(j.audiences == std::vector<std::string>{"tollgate"});
  CHECK(j.issuer == std::optional<std::string>("https://idp.example"));
  CHECK(j.leeway == std::chrono::seconds(30));
  CHECK(j.public_key_ttl == std::chrono::seconds(120));
  CHECK(j.team_id_jwt_field == std::optional<std::string>("client_id"));
  REQUIRE(j.role_mappings.size() == 1);
  CHECK(j.role_mappings[0].internal_role == "proxy_admin");
  CHECK(j.enforce_rbac);
  CHECK(j.team_id_upsert);
  CHECK_FALSE(j.user_id_upsert);
  CHECK(j.admin_jwt_scope == "litellm_proxy_admin");
  CHECK(j.team_allowed_routes == std::vector<std::string>{"openai_routes", "info_routes"});
  CHECK(c.warnings.empty());
}

TEST_CASE("JWT_PUBLIC_KEY_URL and JWT_AUDIENCE fill what the file leaves out", "[config][jwt]") {
  const auto c =
      parse("general_settings:\n  enable_jwt_auth: true\n",
            {{"JWT_PUBLIC_KEY_URL", "https://a.example/jwks, https://b.example/.well-known/openid-configuration"},
             {"JWT_AUDIENCE", "gw"}});
  CHECK(c.general.jwt.public_key_urls ==
        std::vector<std::string>{"https://a.example/jwks", "https://b.example/.well-known/openid-configuration"});
  CHECK(c.general.jwt.audiences == std::vector<std::string>{"gw"});
}

TEST_CASE("an incomplete or unsafe JWT config stops start-up naming the key", "[config][jwt]") {
  struct Row {
    std::string lines;
    std::string path;
    std::string problem;
  };
  const std::vector<Row> rows = {
      {"    audience: gw\n", "general_settings.litellm_jwtauth.public_key_url", "is required"},
      {"    public_key_url: https://idp.example/jwks\n", "general_settings.litellm_jwtauth.audience", "is required"},
      {"    public_key_url: ftp://idp.example/jwks\n    audience: gw\n",
       "general_settings.litellm_jwtauth.public_key_url[0]", "http(s) URL"},
      {kMinimal + "    hmac_secret: short\n", "general_settings.litellm_jwtauth.hmac_secret", "at least 32 bytes"},
      {kMinimal + "    role_mappings: [{role: a, internal_role: god}]\n",
       "general_settings.litellm_jwtauth.role_mappings[0].internal_role", "must be one of"},
      {kMinimal + "    enforce_rbac: true\n", "general_settings.litellm_jwtauth.enforce_rbac", "needs roles_jwt_field"},
      {kMinimal + "    leeway: 99999\n", "general_settings.litellm_jwtauth.leeway", "between"},
  };
  for (const auto& row : rows) {
    INFO(row.lines);
    const auto error = parse_error(jwt_yaml(row.lines));
    CHECK(error.key_path() == row.path);
    CHECK_THAT(error.problem(), Catch::Contains(row.problem));
  }
}

TEST_CASE("LiteLLM JWT keys Tollgate does not implement stop start-up", "[config][jwt][security]") {
  for (const std::string key :
       {"scope_mappings: [{scope: a, models: [m]}]", "enforce_scope_based_access: true", "user_roles_jwt_field: roles",
        "user_allowed_roles: [a]", "user_allowed_email_domain: example.com", "object_id_jwt_field: oid",
        "jwt_litellm_role_map: [{jwt_role: a, litellm_role: proxy_admin}]", "sync_user_role_and_teams: true",
        "enforce_team_based_model_access: true", "custom_validate: my.fn", "issuers: [{issuer: x}]"}) {
    INFO(key);
    const auto error = parse_error(jwt_yaml(kMinimal + "    " + key + "\n"));
    CHECK(error.key_path().rfind("general_settings.litellm_jwtauth.", 0) == 0);
    CHECK_THAT(error.problem(), Catch::Contains("not implemented") && Catch::Contains("refuses to start"));
  }
}

TEST_CASE("litellm_jwtauth without enable_jwt_auth is a warning, and the secret is a secret", "[config][jwt]") {
  const auto off = parse("general_settings:\n  litellm_jwtauth:\n" + kMinimal);
  CHECK_FALSE(off.general.jwt.enabled);
  REQUIRE(off.warnings.size() == 1);
  CHECK_THAT(off.warnings[0], Catch::Contains("enable_jwt_auth is not true"));
  const auto on = parse(jwt_yaml(kMinimal + "    hmac_secret: 0123456789abcdef0123456789abcdef\n"));
  const auto secrets = on.secrets();
  CHECK(std::find(secrets.begin(), secrets.end(), "0123456789abcdef0123456789abcdef") != secrets.end());
}
