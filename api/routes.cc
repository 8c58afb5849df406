#include "api/routes.h"

#include "api/management_routes.h"
#include "api/mcp_routes.h"
#include "api/passthrough_routes.h"
#include "api/stored_responses.h"

namespace tollgate::api {

using http::Method;

void register_routes(http::Router& router, const GatewayContext& context, Listener listener) {
  const auto* ctx = &context;
  auto bind = [ctx](void (*handler)(const GatewayContext&, const http::ExchangePtr&)) {
    return [ctx, handler](const http::ExchangePtr& exchange) { handler(*ctx, exchange); };
  };

  // Health (public).
  for (const char* path : {"/health/liveliness", "/health/liveness", "/_health/live"}) {
    router.add(Method::get, path, handle_liveness);
  }
  for (const char* path : {"/health/readiness", "/_health/ready"}) {
    router.add(Method::get, path, bind(handle_readiness));
  }
  if (listener != Listener::public_only) register_management_routes(router, context);
  if (listener == Listener::admin_only) return;
  router.add(Method::get, "/metrics", bind(handle_metrics));

  // OpenAI-compatible inference.
  for (const char* path : {"/v1/models", "/models"}) {
    router.add(Method::get, path, bind(handle_list_models));
  }
  for (const char* path : {"/v1/models/{id*}", "/models/{id*}"}) {
    router.add(Method::get, path, bind(handle_get_model));
  }
  for (const char* path : {"/v1/chat/completions", "/chat/completions"}) {
    router.add(Method::post, path, bind(handle_chat_completions));
  }
  for (const char* path : {"/v1/completions", "/completions"}) {
    router.add(Method::post, path, bind(handle_completions));
  }
  for (const char* path : {"/v1/embeddings", "/embeddings"}) {
    router.add(Method::post, path, bind(handle_embeddings));
  }
  // Azure OpenAI's shape, for clients such as the openai package's AzureOpenAI pointed at the
  // gateway (LiteLLM serves it too); `?api-version=` is accepted and not used. Registered before
  // the /openai/* pass-through, which would otherwise take these paths.
  router.add(Method::post, "/openai/deployments/{model}/chat/completions", bind(handle_azure_chat_completions));
  router.add(Method::post, "/openai/deployments/{model}/completions", bind(handle_azure_completions));
  router.add(Method::post, "/openai/deployments/{model}/embeddings", bind(handle_azure_embeddings));
  for (const char* path : {"/v1/responses", "/responses"}) {
    router.add(Method::post, path, bind(handle_responses));
  }
  for (const char* path : {"/v1/responses/{id}", "/responses/{id}"}) {
    router.add(Method::get, path, bind(handle_get_response));
    router.add(Method::delete_, path, bind(handle_delete_response));
  }
  for (const char* path : {"/v1/responses/{id}/input_items", "/responses/{id}/input_items"}) {
    router.add(Method::get, path, bind(handle_response_input_items));
  }

  // Media (api/media_routes.cc): images, audio, moderations; rerank in Cohere's shape.
  for (const char* path : {"/v1/images/generations", "/images/generations"}) {
    router.add(Method::post, path, bind(handle_image_generations));
  }
  for (const char* path : {"/v1/audio/speech", "/audio/speech"}) {
    router.add(Method::post, path, bind(handle_audio_speech));
  }
  for (const char* path : {"/v1/audio/transcriptions", "/audio/transcriptions"}) {
    router.add(Method::post, path, bind(handle_audio_transcriptions));
  }
  for (const char* path : {"/v1/moderations", "/moderations"}) {
    router.add(Method::post, path, bind(handle_moderations));
  }
  for (const char* path : {"/v1/rerank", "/rerank", "/v2/rerank"}) {
    router.add(Method::post, path, bind(handle_rerank));
  }

  // Anthropic-compatible inference.
  router.add(Method::post, "/v1/messages", bind(handle_anthropic_messages));
  router.add(Method::post, "/v1/messages/count_tokens", bind(handle_count_tokens));

  // MCP gateway.
  register_mcp_routes(router, context);

  // Provider-native pass-through (/openai/*, /anthropic/*, /gemini/*, /bedrock/*).
  register_passthrough_routes(router, context);
}

void with_caller(const GatewayContext& context, const http::ExchangePtr& exchange,
                 std::function<void(const identity::Caller&)> next, identity::CredentialPlaces places) {
  // A key the cache does not hold is answered on a store thread: the request resumes on its
  // own executor, never on the thread that did the lookup.
  auto resume = [exchange, next = std::move(next)](core::Result<identity::Caller> caller) {
    if (exchange->client_gone()) {
      return;  // hung up while its key was being looked up: nobody is left to answer
    }
    if (!caller) {
      http::respond_error(exchange, caller.error());
      return;
    }
    exchange->set_caller(caller->label);
    next(*caller);
  };
  context.auth->authenticate(*exchange, http::bind_executor(exchange, std::move(resume)), places);
}

}  // namespace tollgate::api
