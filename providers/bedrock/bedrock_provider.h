#pragma once
// AWS Bedrock (core/bedrock_model.h picks the API by the model): chat models through the
// Converse and ConverseStream APIs (`bedrock/<model id>`, `bedrock/converse/<model id>`),
// translated to and from the OpenAI chat and Anthropic Messages APIs; Anthropic models through
// InvokeModel and InvokeModelWithResponseStream (`bedrock/invoke/<id>`) with Anthropic's own
// body and events; Titan and Cohere embedding models through InvokeModel for /v1/embeddings.
// Requests signed with SigV4, streams in AWS's binary event stream.
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& bedrock_provider();

namespace bedrock {

// The Bedrock model id of a deployment: the model after `bedrock/`, without `converse/` or `invoke/`.
std::string_view model_id(const config::Deployment& deployment);

// The model id without its cross-region inference prefix (us., eu., apac., …) and vendor
// ("us.anthropic.claude-3-5-sonnet-20241022-v2:0" → "claude-3-5-sonnet-20241022-v2:0"):
// Bedrock's on-demand price of a Claude model is Anthropic's.
std::string_view catalog_model_of(std::string_view model_id);

// "host[:port]" as the Host header carries it, from an http(s) api_base (default port left out).
std::string host_of(std::string_view api_base);

}  // namespace bedrock
}  // namespace tollgate::providers
