#pragma once
// The end user of an inference request (LiteLLM's customer): found without a store query
// once cached, refused when blocked, and admitted as one more budget stop after the key's
// team/user and organization (docs/budgets.md, "End users").
#include <functional>
#include <optional>
#include <string>

#include "actors/admission.h"
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

// 400, as LiteLLM answers a blocked end user.
core::Status refuse_blocked(const identity::EndUser& end_user);

// Appends the end user's stop, with its own limits or the configured defaults.
void add_end_user_stop(actors::AdmissionRequest& request, const identity::EndUser& end_user,
                       const identity::EndUserDefaults& defaults);

identity::EndUserDefaults end_user_defaults(const GatewayContext& context);

}  // namespace tollgate::api
