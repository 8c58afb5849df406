#pragma once
// Which endpoint a request targets. Pure routing on method and path.
#include <string_view>

namespace tollgate::mock {

enum class Endpoint {
  chat_completions,  // POST /v1/chat/completions, /chat/completions; Azure's …/chat/completions (tools/mock/azure.h)
  completions,       // POST /v1/completions, /completions; Azure's …/completions
  embeddings,        // POST /v1/embeddings, /embeddings; Azure's …/embeddings
  models,            // GET /v1/models, /models
  messages,          // POST /v1/messages (Anthropic); Vertex AI's publishers/anthropic routes
  count_tokens,      // POST /v1/messages/count_tokens (Anthropic): {"input_tokens": N}
  responses,         // POST /v1/responses, /responses, /openai/responses (Azure) (OpenAI Responses API)
  stored_response,   // GET/DELETE /v1/responses/{id}, GET …/{id}/input_items (tools/mock/stored_responses.h)
  bedrock_converse,  // POST /model/{modelId}/converse and /converse-stream (AWS Bedrock)
  bedrock_invoke,    // POST /model/{modelId}/invoke and /invoke-with-response-stream (tools/mock/bedrock_invoke.h)
  gemini_generate,   // POST /v1beta/models/{model}:generateContent and :streamGenerateContent; Vertex AI's
                     // publishers/google routes (tools/mock/vertex.h)
  google_token,      // POST /token, /oauth2/v4/token (Google OAuth2, service-account JWT-bearer grant)
  control_stats,     // GET /_mock/stats
  control_reset,     // POST /_mock/reset
  control_last,      // GET /_mock/last
  control_config,    // GET or POST /_mock/config
  not_found,
};

// The target without its query string.
std::string_view path_of(std::string_view target);

Endpoint classify(std::string_view method, std::string_view path);

// Control endpoints are neither counted in the stats nor remembered as the last request.
bool is_control(Endpoint endpoint);

// /v1/messages answers (and fails) in Anthropic's format, Bedrock's paths in AWS's; everything
// else in OpenAI's.
inline bool is_anthropic(Endpoint endpoint) {
  return endpoint == Endpoint::messages || endpoint == Endpoint::count_tokens;
}

}  // namespace tollgate::mock
