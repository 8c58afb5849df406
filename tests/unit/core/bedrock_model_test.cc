#include <catch2/catch.hpp>

#include "core/bedrock_model.h"

using tollgate::core::bedrock_model;
using tollgate::core::BedrockRoute;

TEST_CASE("bedrock_model: the API and model id of each bedrock/ spelling", "[core][bedrock]") {
  struct Row {
    const char* model;  // after bedrock/
    BedrockRoute route;
    const char* model_id;
  };
  const Row rows[] = {
      {"anthropic.claude-3-haiku-20240307-v1:0", BedrockRoute::converse, "anthropic.claude-3-haiku-20240307-v1:0"},
      {"converse/meta.llama3-70b-instruct-v1:0", BedrockRoute::converse, "meta.llama3-70b-instruct-v1:0"},
      {"invoke/anthropic.claude-3-5-sonnet-20240620-v1:0", BedrockRoute::invoke_anthropic,
       "anthropic.claude-3-5-sonnet-20240620-v1:0"},
      {"invoke/us.anthropic.claude-3-5-sonnet-20241022-v2:0", BedrockRoute::invoke_anthropic,
       "us.anthropic.claude-3-5-sonnet-20241022-v2:0"},
      {"invoke/meta.llama3-70b-instruct-v1:0", BedrockRoute::invoke_unsupported, "meta.llama3-70b-instruct-v1:0"},
      {"invoke/amazon.titan-text-express-v1", BedrockRoute::invoke_unsupported, "amazon.titan-text-express-v1"},
      {"invoke/mistral.mistral-large-2402-v1:0", BedrockRoute::invoke_unsupported, "mistral.mistral-large-2402-v1:0"},
      {"amazon.titan-embed-text-v1", BedrockRoute::titan_embedding, "amazon.titan-embed-text-v1"},
      {"amazon.titan-embed-text-v2:0", BedrockRoute::titan_embedding, "amazon.titan-embed-text-v2:0"},
      {"invoke/amazon.titan-embed-text-v2:0", BedrockRoute::titan_embedding, "amazon.titan-embed-text-v2:0"},
      {"cohere.embed-english-v3", BedrockRoute::cohere_embedding, "cohere.embed-english-v3"},
      {"cohere.embed-multilingual-v3", BedrockRoute::cohere_embedding, "cohere.embed-multilingual-v3"},
      {"us.cohere.embed-v4:0", BedrockRoute::cohere_embedding, "us.cohere.embed-v4:0"},
      {"cohere.command-r-v1:0", BedrockRoute::converse, "cohere.command-r-v1:0"},
  };
  for (const auto& row : rows) {
    INFO(row.model);
    const auto m = bedrock_model(row.model);
    CHECK(m.route == row.route);
    CHECK(m.model_id == row.model_id);
  }
  CHECK(tollgate::core::without_cross_region_prefix("eu.anthropic.claude-3-haiku") == "anthropic.claude-3-haiku");
  CHECK(tollgate::core::without_cross_region_prefix("anthropic.claude-3-haiku") == "anthropic.claude-3-haiku");
}
