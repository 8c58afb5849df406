#pragma once
// The end user of an inference request (LiteLLM's customer): found without a store query
// once cached, refused when blocked, and admitted as one more budget stop after the key's
// team/user and organization (docs/budgets.md, "End users").
#include <functional>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "actors/admission.h"
#include "api/inference_accounting.h"
#include "core/result.h"
#include "http/exchange.h"
#include "identity/end_user.h"

namespace tollgate::api {

struct GatewayContext;

// The end user's record as the store holds it now (cache first; a miss reads the store on a
// store thread and resumes on the exchange's executor). `done` runs once; with an error when
// the store cannot answer (503).
void with_end_user(const GatewayContext& context, const http::ExchangePtr& exchange, std::string id,
                   std::function<void(core::Result<identity::EndUserPtr>)> done);

// The body's `user` (LiteLLM's end-user field), when it is a string.
std::optional<std::string> requested_end_user(const rapidjson::Value& body);

// 400, as LiteLLM answers a blocked end user.
core::Status refuse_blocked(const identity::EndUser& end_user);

// Appends the end user's stop, with its own limits or the configured defaults.
void add_end_user_stop(actors::AdmissionRequest& request, const identity::EndUser& end_user,
                       const identity::EndUserDefaults& defaults);

identity::EndUserDefaults end_user_defaults(const GatewayContext& context);

// Runs with the grant (null when nothing was admitted: the master key without an end user)
// and its rate-limit headers, on the exchange's executor.
using AdmittedStart = std::function<void(std::shared_ptr<actors::AdmissionGrant>, http::Headers)>;

// Admission of an inference request (chat, media) whose caller, model group and end user are
// known: the key's stops (none for the master key) and, when `end_user_id` names one, the end
// user's — looked up (cache, else the store), refused when blocked (400) — then `start`. A
// refusal or a store failure is answered to the client.
void admit_with_end_user(const GatewayContext& context, const http::ExchangePtr& exchange, identity::KeyIdentityPtr key,
                         const config::ModelGroup& group, const RequestTokens& tokens,
                         const std::optional<std::string>& end_user_id, AdmittedStart start);

}  // namespace tollgate::api
