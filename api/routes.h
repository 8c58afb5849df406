#pragma once
#include "api/gateway_context.h"
#include "http/router.h"
#include "identity/authenticator.h"

namespace tollgate::api {

// Which routes a listener serves. With general_settings.admin_listen the public listener serves
// inference, /metrics and health (public_only) and the admin listener the management and
// control-plane routes and health (admin_only); each answers 404 for the other's routes.
enum class Listener { all, public_only, admin_only };

// The whole routing table of the gateway, in one place.
void register_routes(http::Router& router, const GatewayContext& context, Listener listener = Listener::all);

// Handlers, grouped by the file that defines them.
void handle_liveness(const http::ExchangePtr& exchange);
void handle_readiness(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_metrics(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_list_models(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_get_model(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_chat_completions(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_completions(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_embeddings(const GatewayContext& context, const http::ExchangePtr& exchange);
// Azure OpenAI's shape, POST /openai/deployments/{model}/…: the path's deployment is the model group.
void handle_azure_chat_completions(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_azure_completions(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_azure_embeddings(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_anthropic_messages(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_responses(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_count_tokens(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_image_generations(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_audio_speech(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_audio_transcriptions(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_moderations(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_rerank(const GatewayContext& context, const http::ExchangePtr& exchange);

// Runs `next` with the caller when the request authenticates; answers 401 (or 429 / 503)
// otherwise. `next` may run on a store thread when the key was not cached. `places`: where the
// route accepts the key (identity::CredentialPlaces; Google's places on Gemini/Vertex pass-through only).
void with_caller(const GatewayContext& context, const http::ExchangePtr& exchange,
                 std::function<void(const identity::Caller&)> next,
                 identity::CredentialPlaces places = identity::CredentialPlaces::standard);

}  // namespace tollgate::api
