#pragma once
// OpenAI and every OpenAI-compatible service (groq, vllm, ollama, ...): bearer key, OpenAI wire.
#include "providers/provider.h"

namespace tollgate::providers {

const Provider& openai_provider();

// "/chat/completions", "/completions", "/embeddings", "/responses" for the OpenAI-wire APIs.
std::string_view openai_endpoint_suffix(Api api);

// An Anthropic client is served through the OpenAI chat API; other APIs pass through.
Api openai_wire_api_for(Api client_api);

// The OpenAI-wire request to `deployment` for a client API: its upstream API, its endpoint under
// `base_path`, JSON content headers (credentials are the caller's to add), and the output limit
// the gateway writes into `request` when it sets none (providers/written_output_limit.h; a 400
// when its own limit cannot be read).
core::Result<JsonRequestShape> openai_wire_shape(const config::Deployment& deployment, Api client_api,
                                                 const rapidjson::Value& request, const std::string& base_path);

// GET/DELETE of a stored response on an OpenAI-wire upstream: `{responses_path}/{id}{suffix}`,
// then `query_prefix` and the client's `query` (joined by '&' when both are given), with
// JSON content headers (credentials are the caller's to add).
UpstreamRequest stored_response_shape(const std::string& responses_path, std::string_view id, std::string_view suffix,
                                      std::string query_prefix, std::string_view query);

}  // namespace tollgate::providers
