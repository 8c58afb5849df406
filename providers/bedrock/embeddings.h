#pragma once
// Bedrock embeddings through InvokeModel, for OpenAI /v1/embeddings clients:
// - Amazon Titan Text Embeddings (amazon.titan-embed-text-v1, -v2:0): {"inputText": …} → one
//   vector per call, {"embedding": […], "inputTextTokenCount": N}. The data plane makes one
//   upstream call per request, so a request has exactly one input (a string or a one-element
//   array); more is refused with a 400.
// - Cohere Embed (cohere.embed-english-v3, -multilingual-v3): {"texts": […], "input_type": …}
//   → {"embeddings": [[…], …]} (or {"embeddings": {"float": [[…]]}}), no token count.
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.h"
#include "providers/response_relay.h"

namespace tollgate::providers::bedrock {

// The InvokeModel body for the client's OpenAI embeddings request; a 400 for input Bedrock
// cannot take (token arrays, non-strings; for Titan more than one input). OpenAI's
// `dimensions` goes to Titan as `dimensions` (v2 only accepts it); Cohere's `input_type` is the
// client's, else "search_document".
core::Result<std::string> titan_embedding_body(const rapidjson::Value& request);
core::Result<std::string> cohere_embedding_body(const rapidjson::Value& request);

// The OpenAI embeddings list (floats, or base64 float32s when the request's encoding_format is
// "base64", as the openai SDKs ask by default) named `model_group`, with usage: Titan's
// inputTextTokenCount (reported); Cohere reports none, so the typical estimate of the inputs
// (core/token_estimate.h, the rate the gateway charges unreported usage at), not reported.
// A body that is not one of the two shapes is a 502.
core::Result<ClientBody> openai_embeddings_from_bedrock(std::string_view upstream_body, const rapidjson::Value& request,
                                                        std::string_view model_group);

}  // namespace tollgate::providers::bedrock
