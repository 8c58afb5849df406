#pragma once
// The budget side of an inference request: may the key use this model, what does admission
// need to reserve, and what gets recorded once the call is over.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "actors/admission.h"
#include "config/model_catalog.h"
#include "core/search_context_size.h"
#include "core/token_bound.h"
#include "identity/key_identity.h"
#include "proxy/model_router.h"
#include "proxy/proxy_call.h"

namespace tollgate::api {

struct GatewayContext;

// The key's models list within its team's and organization's (core/model_access.h).
bool model_allowed(const identity::KeyIdentity& identity, const config::ModelGroup& group);

// A request's tokens as admission and the data plane need them, computed once per request.
struct RequestTokens {
  std::int64_t prompt_bound = 0;  // the most a provider can charge (core/token_bound.h)
  std::int64_t completion_bound = 0;
  std::int64_t web_searches = 0;  // the most searches server-side tools may run (core/web_search.h)
  // The search context size a chat completion asked for: its searches were reserved at that
  // size's fee, and are charged at it (nullopt: the dearest fee).
  std::optional<core::SearchContextSize> search_context_size;
  double worst_case_cost = 0;       // the bounds at the group's highest prices
  std::int64_t typical_prompt = 0;  // core/token_estimate.h: for calls without reported usage
  std::int64_t tpm_estimate = 0;    // typical prompt + max_tokens when given
};
// `search_size`: the search context size a chat completion asks for
// (providers::requested_search_context_size), its searches' fee; nullopt elsewhere (the dearest).
RequestTokens request_tokens(const core::PromptTally& tally, const proxy::GroupPricing& pricing,
                             const rapidjson::Value& body, std::optional<core::SearchContextSize> search_size);
// `asked`: the limit the request puts on each answer (an OpenAI-format body's max_tokens above;
// a pass-through request's own field, api/passthrough_routes.cc), else pricing.max_output_tokens.
RequestTokens request_tokens(const core::PromptTally& tally, const proxy::GroupPricing& pricing,
                             std::optional<std::int64_t> asked, std::optional<core::SearchContextSize> search_size);

// 400 when a web search tool's max_uses bounds nothing: its searches, billed per search, could
// not be reserved (core/web_search.h); or when server tools run on a model whose context window
// (`pricing.max_input_tokens`) is unknown: the input tokens their results add could not be
// (core/server_tools.h). Inference and pass-through requests alike.
core::Status refuse_unbounded_tools(const core::PromptTally& tally, const proxy::GroupPricing& pricing);

// Stops for the key, its team (or, for personal keys, its user) and its organization (the end
// user's is added by api/end_user_admission.h), with
// the request's worst-case cost. The key and the organization also take the limits they leave
// unset from the budget they link (budget_id; persistence/linked_budget.h).
actors::AdmissionRequest admission_for(const identity::KeyIdentity& identity, const config::ModelGroup& group,
                                       const RequestTokens& tokens);

// Admits the call on `exchange` (abandoned once its client hangs up) and, when granted, runs
// `start` with the grant on the exchange's executor (a budget still loading answers from an actor
// thread). A refusal is answered to the client; a grant for a client that left meanwhile is
// released at once.
void admit_then(const GatewayContext& context, const http::ExchangePtr& exchange, actors::AdmissionRequest admission,
                std::function<void(std::shared_ptr<actors::AdmissionGrant>)> start);

struct CallRecord {
  std::string request_id;  // the exchange's x-request-id
  std::string call_id;     // the gateway's own id of the call: x-litellm-call-id, the spend log's key
  std::string call_type;   // "acompletion", "aembedding", "atext_completion", "anthropic_messages"
  std::string model_group;
  std::int64_t start_ms = 0;
  std::optional<std::string> end_user;  // the request's end user (api/end_user_admission.h)
};

// Settles (or releases) the reservations, hands the spend-log row and entity increments to
// the spend writer, and counts the spend in metrics.
void record_outcome(const GatewayContext& context, const identity::KeyIdentityPtr& identity,
                    const actors::AdmissionGrant* grant, const proxy::CallOutcome& outcome, const CallRecord& record);

http::Headers rate_headers(const actors::RateHeaders& h);

std::int64_t unix_ms_now();

}  // namespace tollgate::api
