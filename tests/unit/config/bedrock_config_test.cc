#include <catch2/catch.hpp>

#include "tests/support/config_parse.h"

using tollgate::testing::parse_test_config;
using tollgate::testing::parse_test_config_error;

TEST_CASE("bedrock/ deployments: AWS keys from litellm_params, os.environ/ or the AWS environment",
          "[config][bedrock]") {
  const auto from_params = parse_test_config(R"(
model_list:
  - model_name: c
    litellm_params:
      model: bedrock/converse/anthropic.claude-3-haiku-20240307-v1:0
      aws_access_key_id: AKID1
      aws_secret_access_key: os.environ/MY_SECRET
      aws_session_token: tok
      aws_region_name: eu-west-1
)",
                                             {{"MY_SECRET", "s1"}, {"AWS_ACCESS_KEY_ID", "ignored"}});
  const auto& d = from_params.model_list.at(0);
  CHECK(d.provider == tollgate::core::ProviderKind::bedrock);
  CHECK(d.aws.access_key_id == "AKID1");
  CHECK(d.aws.secret_access_key == "s1");
  CHECK(d.aws.session_token == "tok");
  CHECK(d.aws.region_name == "eu-west-1");
  CHECK(d.api_base == "https://bedrock-runtime.eu-west-1.amazonaws.com");

  const auto from_env = parse_test_config(
      "model_list:\n  - model_name: c\n    litellm_params: {model: bedrock/anthropic.claude-v2, api_base: "
      "\"http://127.0.0.1:9\"}\n",
      {{"AWS_ACCESS_KEY_ID", "AKID2"},
       {"AWS_SECRET_ACCESS_KEY", "s2"},
       {"AWS_SESSION_TOKEN", "t2"},
       {"AWS_DEFAULT_REGION", "ap-south-1"}});
  const auto& e = from_env.model_list.at(0);
  CHECK(e.aws.access_key_id == "AKID2");
  CHECK(e.aws.secret_access_key == "s2");
  CHECK(e.aws.session_token == "t2");
  CHECK(e.aws.region_name == "ap-south-1");
  CHECK(e.api_base == "http://127.0.0.1:9");  // an explicit api_base wins

  const auto error = parse_test_config_error(
      "model_list:\n  - model_name: c\n    litellm_params: {model: bedrock/m, aws_region_name: us-east-1}\n");
  CHECK_THAT(error.what(), Catch::Contains("aws_secret_access_key"));
}

TEST_CASE("bedrock/invoke/ (InvokeModel): Anthropic models load, other families stop start-up naming the key",
          "[config][bedrock]") {
  const auto yaml = [](const std::string& model) {
    return "model_list:\n  - model_name: c\n    litellm_params: {model: \"bedrock/" + model +
           "\", aws_access_key_id: A, aws_secret_access_key: B, aws_region_name: us-east-1}\n";
  };
  for (const char* accepted :
       {"invoke/anthropic.claude-3-5-sonnet-20240620-v1:0", "invoke/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
        "amazon.titan-embed-text-v2:0", "cohere.embed-english-v3"}) {
    INFO(accepted);
    const auto config = parse_test_config(yaml(accepted));
    CHECK(config.model_list.at(0).provider == tollgate::core::ProviderKind::bedrock);
  }
  for (const char* refused : {"invoke/meta.llama3-70b-instruct-v1:0", "invoke/amazon.titan-text-express-v1",
                              "invoke/mistral.mistral-large-2402-v1:0", "invoke/cohere.command-r-v1:0"}) {
    INFO(refused);
    const auto error = parse_test_config_error(yaml(refused));
    CHECK_THAT(error.what(), Catch::Contains("model_list[0].litellm_params.model"));
    CHECK_THAT(error.what(), Catch::Contains("bedrock/invoke/ (InvokeModel) is supported for Anthropic models"));
  }
}
