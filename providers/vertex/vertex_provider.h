#pragma once
// Vertex AI (`vertex_ai/<model>`): Google's models through generateContent /
// streamGenerateContent (the Gemini translation, providers/gemini/) and Anthropic's Claude
// through rawPredict / streamRawPredict (the Anthropic translation, body without `model`,
// with anthropic_version "vertex-2023-10-16"), on
// {api_base}/v1/projects/{project}/locations/{location}/publishers/{google|anthropic}/models/{model}.
// The request is built without its credential: the caller adds `authorization: Bearer` with an
// OAuth2 access token from the deployment's service account (providers/vertex/token_source.h).
#include <string>
#include <string_view>

#include "providers/provider.h"

namespace tollgate::providers {

const Provider& vertex_provider();

}  // namespace tollgate::providers

namespace tollgate::providers::vertex {

// Claude models are Anthropic's publisher on Vertex; every other model is Google's.
bool is_anthropic_model(std::string_view upstream_model);

// The path of a deployment's model, before ":method" (api_base's path included).
std::string model_path(const config::Deployment& deployment);

}  // namespace tollgate::providers::vertex
