// AWS credentials Tollgate cannot use stop start-up: a deployment naming a role, profile or web
// identity would otherwise be signed with whatever keys the environment holds — another
// identity's rights.
#include <catch2/catch.hpp>

#include "tests/support/config_parse.h"

using tollgate::testing::parse_test_config_error;

TEST_CASE("AWS roles, profiles and web identities stop start-up", "[config][bedrock]") {
  for (const char* key : {"aws_role_name", "aws_session_name", "aws_profile_name", "aws_web_identity_token",
                          "aws_sts_endpoint", "aws_external_id"}) {
    INFO(key);
    const auto error = parse_test_config_error(
        std::string("model_list:\n  - model_name: c\n    litellm_params: {model: bedrock/anthropic.claude-v2, ") +
            key + ": x, aws_region_name: us-east-1}\n",
        {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}});
    CHECK_THAT(error.what(), Catch::Contains(std::string("model_list[0].litellm_params.") + key));
    CHECK_THAT(error.what(), Catch::Contains("AWS roles, profiles and web identities are not implemented"));
  }
}
