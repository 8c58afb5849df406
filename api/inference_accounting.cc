#include "api/inference_accounting.h"

#include <algorithm>
#include <limits>

#include "api/gateway_context.h"
#include "api/litellm_call_metrics.h"
#include "api/spend_log_metadata.h"
#include "core/budget_math.h"
#include "core/model_access.h"
#include "core/server_tools.h"
#include "core/web_search.h"
#include "persistence/linked_budget.h"
#include "providers/openai_request.h"
#include "spend/spend_writer.h"
#include "telemetry/spend_metrics.h"

namespace tollgate::api {

using persistence::EntityKind;

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// What admission needs of a key, team, user or organization: its limits — with those of the
// budget it links for every one it leaves unset — and its own recorded spend.
template <class Record>
actors::EntityLimits limits_of(const Record& r, const std::optional<persistence::BudgetRecord>& linked = std::nullopt) {
  actors::EntityLimits l;
  static_cast<persistence::BudgetLimits&>(l) = r;
  if (linked) persistence::inherit_unset_limits(l, *linked);
  l.record_spend = r.spend;
  return l;
}

actors::EntityLimits key_limits(const persistence::KeyRecord& k,
                                const std::optional<persistence::BudgetRecord>& linked) {
  auto l = limits_of(k, linked);
  l.model_rpm_limit = k.model_rpm_limit;
  l.model_tpm_limit = k.model_tpm_limit;
  return l;
}

}  // namespace

bool model_allowed(const identity::KeyIdentity& identity, const config::ModelGroup& group) {
  return core::model_access_allowed(identity.key.models, identity.team ? &identity.team->models : nullptr,
                                    identity.organization ? &identity.organization->models : nullptr,
                                    {group.name, group.provider_models, group.access_groups});
}

RequestTokens request_tokens(const core::PromptTally& tally, const proxy::GroupPricing& pricing,
                             const rapidjson::Value& body, std::optional<core::SearchContextSize> search_size) {
  return request_tokens(tally, pricing, providers::max_output_tokens(body), search_size);
}

RequestTokens request_tokens(const core::PromptTally& tally, const proxy::GroupPricing& pricing,
                             std::optional<std::int64_t> asked, std::optional<core::SearchContextSize> search_size) {
  RequestTokens t;
  t.prompt_bound = core::prompt_token_bound(tally, pricing.max_input_tokens);
  t.completion_bound = core::completion_token_bound(tally, asked, pricing.max_output_tokens);
  if (tally.server_tools > 0) {
    // Every sampling of the provider's tool loop is billed (core/server_tools.h). Without a
    // context window the request was refused (refuse_unbounded_tools); the saturated value
    // keeps a caller that skipped it from reserving less than the truth.
    const auto samplings = core::server_tool_samplings(tally.server_tool_uses);
    t.prompt_bound = core::server_tool_prompt_bound(t.prompt_bound, samplings, pricing.max_input_tokens)
                         .value_or(std::numeric_limits<std::int64_t>::max());
    t.completion_bound = core::server_tool_completion_bound(t.completion_bound, samplings);
  }
  // A search model's call searches whatever the request says (core/cost_map.h), at the fee of
  // the context size it asks for: the settle charges that size's (proxy::ProxyRequest).
  t.web_searches = core::add_searches(tally.web_searches, pricing.max_searches_per_call);
  t.search_context_size = search_size;
  t.worst_case_cost =
      core::CostEstimate{t.prompt_bound,           t.completion_bound, pricing.max_input_price,
                         pricing.max_output_price, t.web_searches,     pricing.web_search_fee(search_size)}
          .worst_case();
  t.typical_prompt = tally.typical_tokens;
  // tpm counts what the request will certainly use: its typical prompt, plus max_tokens when
  // given (saturating: max_tokens may be any int64).
  const auto room = std::numeric_limits<std::int64_t>::max() - t.typical_prompt;
  t.tpm_estimate = t.typical_prompt + std::min(asked.value_or(0), room);
  return t;
}

core::Status refuse_unbounded_tools(const core::PromptTally& tally, const proxy::GroupPricing& pricing) {
  if (tally.unbounded_web_search_tool >= 0) {
    const auto param = "tools[" + std::to_string(tally.unbounded_web_search_tool) + "].max_uses";
    return core::bad_request(
        "A web search tool needs max_uses, a positive integer: each search is billed on top of "
        "tokens, and the gateway reserves the most they can cost before the call",
        param);
  }
  if (tally.gemini_builtin_tool >= 0) {
    return core::bad_request(
        "Gemini's built-in tools (googleSearch, codeExecution, urlContext and the like) are run and billed by "
        "Google beyond the prompt's tokens (grounding fees, tool-use prompt tokens over several samplings), which "
        "the gateway cannot bound before the call: declare functions (functionDeclarations) instead",
        "tools[" + std::to_string(tally.gemini_builtin_tool) + "]");
  }
  if (tally.server_tools > 0 && !(pricing.max_input_tokens && *pricing.max_input_tokens > 0)) {
    const auto param =
        tally.first_server_tool >= 0 ? "tools[" + std::to_string(tally.first_server_tool) + "]" : "mcp_servers";
    return core::bad_request(
        "A server-side tool (web search, web fetch, code execution, MCP connector) adds its results to the "
        "model's context, billed as input tokens on every sampling of the provider's tool loop; the gateway "
        "bounds them by the model's context window, which is unknown for this model: set "
        "model_info.max_input_tokens on its deployments, or call it without server-side tools",
        param);
  }
  return {};
}

actors::AdmissionRequest admission_for(const identity::KeyIdentity& identity, const config::ModelGroup& group,
                                       const RequestTokens& tokens) {
  actors::AdmissionRequest request;
  request.model = group.name;
  const auto& key = identity.key;
  // A JWT is not a stored key: it spends its team's, user's and organization's budgets only.
  if (!identity.jwt_role) {
    request.stops.push_back({EntityKind::key, key.token_hash, identity.label, key_limits(key, identity.key_budget), 0});
  }
  if (identity.team) {
    request.stops.push_back({EntityKind::team, identity.team->team_id,
                             identity.team->team_alias.value_or(identity.team->team_id), limits_of(*identity.team), 0});
  } else if (identity.user) {
    // A personal key spends the user's own budget (team keys spend the team's).
    request.stops.push_back(
        {EntityKind::user, identity.user->user_id, identity.user->user_id, limits_of(*identity.user), 0});
  }
  if (identity.organization) {
    request.stops.push_back({EntityKind::organization, identity.organization->organization_id,
                             identity.organization->organization_alias,
                             limits_of(*identity.organization, identity.organization_budget), 0});
  }
  request.worst_case_cost = tokens.worst_case_cost;
  request.tokens_estimate = tokens.tpm_estimate;
  return request;
}

void record_outcome(const GatewayContext& context, const identity::KeyIdentityPtr& identity,
                    const actors::AdmissionGrant* grant, const proxy::CallOutcome& outcome, const CallRecord& record) {
  // An interrupted stream is charged for what it generated (proxy_call.h), like a success.
  const bool charged = outcome.success || outcome.interrupted;
  const double cost = charged ? outcome.cost : 0.0;
  if (grant != nullptr) {
    if (charged) {
      context.admission->settle(*grant, cost, outcome.usage.total());
    } else {
      context.admission->release(*grant);
    }
  }
  if (context.litellm_metrics) count_litellm_call(*context.litellm_metrics, identity.get(), outcome, record, cost);
  if (!outcome.success && outcome.usage.total() == 0 && cost == 0) {
    return;  // nothing was consumed: no spend row (failures are in the metrics and the access log)
  }
  persistence::SpendLogRow row;
  row.request_id = record.call_id;  // unique even when clients reuse x-request-id
  row.response_id = outcome.response_id;
  row.call_type = record.call_type;
  row.spend = cost;
  row.prompt_tokens = outcome.usage.prompt_tokens;
  row.completion_tokens = outcome.usage.completion_tokens;
  row.total_tokens = outcome.usage.total();
  row.start_time = record.start_ms;
  row.end_time = unix_ms_now();
  row.model_group = record.model_group;
  if (outcome.deployment) {
    row.model = outcome.deployment->upstream_model;
    row.model_id = outcome.deployment->info.id;
    row.provider = outcome.deployment->provider_prefix;
  }
  row.status = outcome.success ? "success" : "failure";
  row.metadata = spend_log_metadata(
      identity.get(), {record.call_id, record.request_id, outcome.interrupted, record.end_user}, outcome.success);
  std::vector<persistence::SpendIncrement> increments;
  if (identity) {
    const auto& key = identity->key;
    row.api_key = key.token_hash;
    row.user_id = key.user_id;
    row.team_id = key.team_id;
    row.organization_id = identity->organization ? std::optional<std::string>(identity->organization->organization_id)
                                                 : key.organization_id;
    if (cost > 0) {
      if (!identity->jwt_role) increments.push_back({EntityKind::key, key.token_hash, cost});
      if (identity->team) increments.push_back({EntityKind::team, identity->team->team_id, cost});
      if (identity->user) increments.push_back({EntityKind::user, identity->user->user_id, cost});
      if (identity->organization)
        increments.push_back({EntityKind::organization, identity->organization->organization_id, cost});
    }
  }
  row.end_user = record.end_user;
  if (record.end_user && cost > 0) increments.push_back({EntityKind::end_user, *record.end_user, cost});
  context.spend->record(std::move(row), increments);
  if (context.spend_metrics) {
    context.spend_metrics->spent(identity ? identity->label : std::string("master_key"),
                                 identity && identity->team ? identity->team->team_id : std::string(),
                                 record.model_group, cost, outcome.priced);
  }
}

void admit_then(const GatewayContext& context, const http::ExchangePtr& exchange, actors::AdmissionRequest admission,
                std::function<void(std::shared_ptr<actors::AdmissionGrant>)> start) {
  admission.abandoned = [exchange] { return exchange->client_gone(); };
  auto admitted = [&context, exchange, start = std::move(start)](actors::AdmissionResult result) {
    if (!result) {
      http::respond_error(exchange, result.error());
      return;
    }
    if (exchange->client_gone()) {  // hung up while its budget was loading
      context.admission->release(*result);
      return;
    }
    start(std::make_shared<actors::AdmissionGrant>(std::move(result).value()));
  };
  context.admission->admit(std::move(admission), http::bind_executor(exchange, std::move(admitted)));
}

http::Headers rate_headers(const actors::RateHeaders& h) {
  http::Headers out;
  if (h.limit_requests) out.push_back({"x-ratelimit-limit-requests", std::to_string(*h.limit_requests)});
  if (h.remaining_requests) {
    out.push_back({"x-ratelimit-remaining-requests", std::to_string(*h.remaining_requests)});
    out.push_back({"x-litellm-key-remaining-requests", std::to_string(*h.remaining_requests)});
  }
  if (h.limit_tokens) out.push_back({"x-ratelimit-limit-tokens", std::to_string(*h.limit_tokens)});
  if (h.remaining_tokens) {
    out.push_back({"x-ratelimit-remaining-tokens", std::to_string(*h.remaining_tokens)});
    out.push_back({"x-litellm-key-remaining-tokens", std::to_string(*h.remaining_tokens)});
  }
  return out;
}

}  // namespace tollgate::api
