#pragma once
// Which Bedrock API a `bedrock/…` deployment's model speaks, from the model after `bedrock/`
// (LiteLLM's spellings): Converse for chat models, InvokeModel for Anthropic models named with
// `invoke/` and for the embedding models Tollgate translates. Pure: configuration refuses what
// it cannot serve, the provider picks the wire format.
#include <string_view>

namespace tollgate::core {

enum class BedrockRoute {
  converse,            // `<model id>`, `converse/<model id>`
  invoke_anthropic,    // `invoke/<id with "anthropic.">`: the Anthropic Messages body
  invoke_unsupported,  // `invoke/<other model>`: a body per model family Tollgate does not speak
  titan_embedding,     // amazon.titan-embed-text-v1, -v2:0: {"inputText"} → {"embedding"}
  cohere_embedding,    // cohere.embed-english-v3, -multilingual-v3: {"texts"} → {"embeddings"}
};

struct BedrockModel {
  BedrockRoute route = BedrockRoute::converse;
  std::string_view model_id;  // what goes in /model/{id}/…: without `converse/` or `invoke/`
};

// `model`: the deployment's model after `bedrock/`. Embedding models are recognised with or
// without `invoke/` (they are always invoked), behind a cross-region prefix too.
BedrockModel bedrock_model(std::string_view model);

// A model id without its cross-region inference prefix ("us.", "eu.", "apac.", "us-gov.",
// "global."): "us.anthropic.claude-3-5-sonnet-20241022-v2:0" → "anthropic.claude-3-5-sonnet-…".
std::string_view without_cross_region_prefix(std::string_view model_id);

}  // namespace tollgate::core
