#include "tools/mock/endpoint.h"

#include "tools/mock/azure.h"
#include "tools/mock/bedrock.h"
#include "tools/mock/bedrock_invoke.h"
#include "tools/mock/gemini.h"
#include "tools/mock/google_token.h"
#include "tools/mock/stored_responses.h"
#include "tools/mock/vertex.h"

namespace tollgate::mock {

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

Endpoint classify(std::string_view method, std::string_view path) {
  const bool get = method == "GET";
  const bool post = method == "POST";
  if (post && (path == "/v1/chat/completions" || path == "/chat/completions")) {
    return Endpoint::chat_completions;
  }
  if (const auto azure = post ? azure_route_of(path) : std::nullopt) return azure->endpoint;  // OpenAI's bodies
  if (post && path == "/v1/messages") return Endpoint::messages;
  if (post && path == "/v1/messages/count_tokens") return Endpoint::count_tokens;
  if (post && (path == "/v1/responses" || path == "/responses" || path == "/openai/responses")) {
    return Endpoint::responses;
  }
  if ((get || method == "DELETE") && !stored_response_path(path).id.empty()) return Endpoint::stored_response;
  if (bool stream = false; post && !bedrock_model_of(path, stream).empty()) return Endpoint::bedrock_converse;
  if (post && bedrock_invoke_route(path)) return Endpoint::bedrock_invoke;
  if (bool stream = false; post && !gemini_model_of(path, stream).empty()) return Endpoint::gemini_generate;
  if (post && is_google_token_path(path)) return Endpoint::google_token;
  if (const auto vertex = post ? vertex_route_of(path) : std::nullopt) {  // Vertex AI speaks both wires
    if (vertex->predict) return Endpoint::embeddings;                     // answered by vertex_predict_answer
    return vertex->anthropic ? Endpoint::messages : Endpoint::gemini_generate;
  }
  if (post && (path == "/v1/completions" || path == "/completions")) return Endpoint::completions;
  if (post && (path == "/v1/embeddings" || path == "/embeddings")) return Endpoint::embeddings;
  if (get && (path == "/v1/models" || path == "/models")) return Endpoint::models;
  if (get && path == "/_mock/stats") return Endpoint::control_stats;
  if (post && path == "/_mock/reset") return Endpoint::control_reset;
  if (get && path == "/_mock/last") return Endpoint::control_last;
  if ((get || post) && path == "/_mock/config") return Endpoint::control_config;
  return Endpoint::not_found;
}

bool is_control(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::control_stats:
    case Endpoint::control_reset:
    case Endpoint::control_last:
    case Endpoint::control_config: return true;
    default: return false;
  }
}

}  // namespace tollgate::mock
