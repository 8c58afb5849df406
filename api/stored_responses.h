#pragma once
// Responses an OpenAI or Azure deployment stored for a caller (POST /v1/responses keeps them
// upstream unless `store: false`): GET and DELETE /v1/responses/{id}, GET
// /v1/responses/{id}/input_items, and a POST naming one as previous_response_id. Every
// stored response lives under the gateway's single provider credential, so the gateway keeps
// the owners (migration 008, api/recent_response_owners.h) and lets a key reach only its own
// (core/response_access.h); anything else is answered as an unknown id (404). Each is sent to
// the deployment that holds it.
#include <functional>
#include <string>

#include <rapidjson/document.h>

#include "config/model_catalog.h"
#include "core/result.h"
#include "http/exchange.h"
#include "identity/authenticator.h"
#include "proxy/proxy_call.h"

namespace tollgate::api {

struct GatewayContext;

void handle_get_response(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_delete_response(const GatewayContext& context, const http::ExchangePtr& exchange);
void handle_response_input_items(const GatewayContext& context, const http::ExchangePtr& exchange);

// For POST /v1/responses: when the body names a previous_response_id, the caller must own it
// (else 404) and the call goes to the deployment holding it. `done` runs on the exchange's
// executor with that deployment when it serves `group`, null when there is no
// previous_response_id or it lives elsewhere (the upstream then answers for it).
void with_previous_response(const GatewayContext& context, const http::ExchangePtr& exchange,
                            const identity::Caller& caller, const rapidjson::Document& request,
                            const config::ModelGroup& group,
                            std::function<void(core::Result<const config::Deployment*>)> done);

// After a /v1/responses call: this node remembers who created the answer (the store learns it
// with the call's spend log).
void remember_response_owner(const GatewayContext& context, const identity::KeyIdentity* identity,
                             const proxy::CallOutcome& outcome, const std::string& model_group);

}  // namespace tollgate::api
