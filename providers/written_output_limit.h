#pragma once
// The output limit of a main-route request (/v1/chat/completions, /v1/completions,
// /v1/responses, /v1/messages) to an OpenAI-wire deployment (OpenAI, Azure, OpenAI-compatible
// servers): these APIs take a request without a limit, so when the request gives none and the
// model's maximum answer is unknown the gateway writes the limit it reserved
// (core::decide_output_limit, core::kWrittenOutputLimit) where the upstream reads it:
//   chat completions: max_completion_tokens or max_tokens (core/output_limit_field.h);
//   completions: max_tokens, its only name;
//   Responses API: max_output_tokens, its only name.
// With a known maximum nothing is written: the provider cannot answer longer than its model's
// maximum, which is what admission reserves (proxy/model_router.cc). Writing it would not be
// free either: servers such as vLLM refuse a request whose prompt plus max_tokens exceeds the
// context, so a maximum near the context size would turn every long prompt into a 400. (A
// model_info.max_output_tokens below the model's real maximum is the operator's error; the
// answer is still charged in full and counted in tollgate_settle_above_reservation_total.)
#include <cstdint>
#include <optional>

#include <rapidjson/document.h>

#include "config/config.h"
#include "core/result.h"
#include "providers/upstream_request.h"

namespace tollgate::providers {

// Where `upstream_api`'s request to `deployment` carries its output limit (above).
std::string_view output_limit_field(const config::Deployment& deployment, Api upstream_api);

// The longest answer a deployment's model is known to give: model_info.max_output_tokens, else
// model_info.max_tokens, else the built-in table; nullopt when nobody described it.
std::optional<std::int64_t> known_max_output(const config::Deployment& deployment);

// The limit the gateway writes into an OpenAI-wire request to `deployment` that sets none
// (Provider::max_tokens_added): kWrittenOutputLimit when the model's maximum is unknown.
std::optional<std::int64_t> openai_wire_limit_added(const config::Deployment& deployment);

// What to write into the `upstream_api` request built from `request`: nullopt when the request
// has its own limit or the model's maximum is known; a 400 when the request's limit cannot be
// read (1e5, "100") and the model's maximum is unknown, so that nothing bounds the answer.
core::Result<std::optional<OutputLimitWrite>> openai_wire_written_limit(const config::Deployment& deployment,
                                                                        Api upstream_api,
                                                                        const rapidjson::Value& request);

}  // namespace tollgate::providers
