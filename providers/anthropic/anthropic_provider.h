#pragma once
// Anthropic's Messages API: `x-api-key`, a versioned API, max_tokens always set.
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& anthropic_provider();

// An Anthropic Messages body for a cloud platform that names the model in the URL and the API
// version in the body (Vertex AI's rawPredict, Bedrock's InvokeModel): without `model`, with
// "anthropic_version": `version`; without `stream` too unless `keep_stream` (Bedrock refuses
// it: the URL says whether to stream).
core::Result<std::string> anthropic_platform_body(const std::string& messages_body, std::string_view version,
                                                  bool keep_stream);

}  // namespace tollgate::providers
