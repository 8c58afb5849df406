#pragma once
// OpenAI and every OpenAI-compatible service (groq, vllm, ollama, ...): bearer key, OpenAI wire.
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& openai_provider();

// "/chat/completions", "/completions", "/embeddings" for the OpenAI-wire APIs.
std::string_view openai_endpoint_suffix(Api api);

// An Anthropic client is served through the OpenAI chat API; other APIs pass through.
Api openai_wire_api_for(Api client_api);

}  // namespace tollgate::providers
