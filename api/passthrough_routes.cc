// /openai/*, /anthropic/*, /gemini/*, /bedrock/*, /vertex_ai/*: provider-native requests passed through with
// the gateway's provider credential (the caller's is never forwarded), authenticated with
// Tollgate keys, the model they name checked against the key's model access, budgets reserved
// and settled from the usage the answer carries, spend logged (docs/api.md "Pass-through").
#include <algorithm>
#include <memory>

#include "api/gateway_context.h"
#include "api/inference_accounting.h"
#include "api/json_body.h"
#include "api/passthrough_call.h"
#include "api/passthrough_routes.h"
#include "api/routes.h"
#include "core/json_document.h"
#include "core/model_access.h"
#include "core/output_limit.h"
#include "core/request_id.h"
#include "providers/bedrock/sigv4.h"
#include "providers/json_util.h"
#include "providers/openai_request.h"
#include "providers/passthrough_output_limit.h"
#include "providers/prompt_tally.h"
#include "providers/registry.h"
#include "providers/written_output_limit.h"
#include "proxy/passthrough_upstreams.h"

namespace tollgate::api {
namespace {

using core::PassthroughShape;
using providers::Api;
using proxy::PassthroughUpstream;

constexpr std::chrono::milliseconds kPassthroughTimeout{600'000};
constexpr std::string_view kAnthropicVersion = "2023-06-01";

std::optional<Api> api_of(PassthroughShape shape) {
  switch (shape) {
    case PassthroughShape::openai_chat: return Api::openai_chat;
    case PassthroughShape::openai_completion: return Api::openai_completion;
    case PassthroughShape::openai_embedding: return Api::openai_embedding;
    case PassthroughShape::openai_responses: return Api::openai_responses;
    case PassthroughShape::anthropic_messages:
    case PassthroughShape::bedrock_invoke: return Api::anthropic_messages;
    case PassthroughShape::gemini_generate: return Api::gemini_generate_content;
    case PassthroughShape::bedrock_converse: return Api::bedrock_converse;
    case PassthroughShape::other: break;
  }
  return std::nullopt;
}

// What a pass-through request is, once read: its route, body and the model it names.
struct PassthroughRequest {
  core::PassthroughRoute route;
  std::string subpath;                        // after the prefix: "/v1/chat/completions"
  std::shared_ptr<rapidjson::Document> body;  // null when the body is not a JSON object
  std::string model;                          // "" when it names none
};

core::Result<PassthroughRequest> read_request(const GatewayContext& context, const http::Exchange& exchange,
                                              std::string_view prefix) {
  PassthroughRequest r;
  r.route = *core::passthrough_provider(prefix);
  r.subpath = std::string(exchange.path().substr(prefix.size() + 1));
  core::classify_passthrough_path(r.route, r.subpath);
  // Bedrock's model id is encoded by the gateway (upstream_path), and may carry an escaped '/'.
  if (r.route.provider != core::ProviderKind::bedrock && core::passthrough_path_escapes(r.subpath)) {
    return core::bad_request("A pass-through path may not have '.' or '..' segments, nor an escaped '.' or '/'");
  }
  if (!exchange.body().empty()) {
    auto doc = std::make_shared<core::JsonDocument>();  // small pool chunks (core/json_document.h)
    auto parsed = parse_json_object(exchange.body(), *doc, context.max_json_depth());
    // An inference shape must be JSON (its cost is bounded from it); anything else is sent on as it is.
    if (!parsed && r.route.shape != PassthroughShape::other) return parsed.error();
    if (parsed) r.body = std::move(doc);
  }
  r.model = r.route.model_in_path;
  if (r.model.empty() && r.body) r.model = std::string(providers::json::string_or(*r.body, "model"));
  if (auto refused = refuse_nul(r.model, "model"); !refused) return refused.error();
  return r;
}

// Provider paths that reach what other keys keep at the provider are for proxy admins only, and
// a Responses API call may not chain onto state through pass-through (core/passthrough_route.h).
core::Status refuse_shared_state(const identity::Caller& caller, const PassthroughRequest& r) {
  if (caller.actor.role == core::Role::proxy_admin) return {};
  if (!core::passthrough_open_to_every_key(r.route)) {
    return core::forbidden(
        "Only proxy admins may use this pass-through path: it is not an inference call, so it could reach what other "
        "keys keep at the provider (files, batches, stored responses, …) and its cost cannot be bounded");
  }
  const auto has = [&r](const char* field) {
    const auto* value = r.body ? providers::json::present(*r.body, field) : nullptr;
    return value != nullptr && !value->IsNull();
  };
  if (const auto field =
          core::passthrough_shared_state_field(r.route, has("previous_response_id"), has("conversation"))) {
    return core::bad_request("'" + std::string(*field) +
                                 "' is not accepted through pass-through, which cannot check who owns it: use "
                                 "/v1/responses, which does",
                             std::string(*field));
  }
  return {};
}

// On pass-through the caller names the model: one without a known price would cost nothing, so
// a key could call it without end whatever its budget (and a request naming none lets the
// provider pick one, such as a stored prompt's). Proxy admins answer to no budget; an admin
// who wants keys to reach such a model gives a deployment of it model_info prices.
core::Status refuse_unpriced(const identity::Caller& caller, const PassthroughRequest& r, bool priced) {
  if (priced || caller.actor.role == core::Role::proxy_admin) return {};
  const std::string what = r.model.empty() ? "a request that names no model" : "the model '" + r.model + "'";
  return core::forbidden("No price is known for " + what +
                         ", so its cost could not be charged to budgets: only proxy admins may call it through "
                         "pass-through (a deployment of it with model_info prices makes it priced)");
}

// A named model is judged as a model group named "<provider>/<model>" or by its bare name (the
// key's, team's and organization's lists judged on the same one), with "<provider>/<model>" as
// its deployment, so that "openai/*" allows every OpenAI model.
bool model_allowed_here(const identity::KeyIdentity& identity, const PassthroughRequest& r) {
  static const std::vector<std::string> kNoAccessGroups;
  const std::string prefixed = std::string(r.route.provider_prefix) + "/" + r.model;
  const std::vector<std::string> provider_models{prefixed};
  const auto* team = identity.team ? &identity.team->models : nullptr;
  const auto* organization = identity.organization ? &identity.organization->models : nullptr;
  return core::model_access_allowed(identity.key.models, team, organization,
                                    {prefixed, provider_models, kNoAccessGroups}) ||
         core::model_access_allowed(identity.key.models, team, organization,
                                    {r.model, provider_models, kNoAccessGroups});
}

// What prices a call: every configured deployment of the provider that names the model (its
// model_info prices and limits), else the provider's built-in price for the model.
struct PassthroughPricing {
  std::vector<const config::Deployment*> candidates;  // never empty: the named ones, else `builtin`
  std::unique_ptr<config::Deployment> builtin;        // the model at the built-in price
  std::vector<std::optional<core::ModelPrice>> prices;
};

config::Deployment without_secrets(config::Deployment d) {
  d.api_key.clear();  // the call's record needs no secret
  d.aws = {};
  d.vertex = {};
  return d;
}

PassthroughPricing pricing_of(const PassthroughRequest& r, const PassthroughUpstream& upstream) {
  PassthroughPricing p;
  for (const auto* d : upstream.deployments) {
    if (d->upstream_model == r.model) p.candidates.push_back(d);
  }
  if (p.candidates.empty()) {
    config::Deployment target;
    target.provider = r.route.provider;
    target.provider_prefix = std::string(r.route.provider_prefix);
    target.upstream_model = r.model;
    target.litellm_model = target.provider_prefix + "/" + r.model;
    target.info.id = target.provider_prefix + "-pass-through";
    p.builtin = std::make_unique<config::Deployment>(std::move(target));
    p.candidates.push_back(p.builtin.get());
  }
  for (const auto* d : p.candidates) p.prices.push_back(proxy::ModelRouter::price_of(*d));
  return p;
}

// The model's longest answer by any candidate's description (model_info, the built-in table):
// all describe the same provider model. nullopt when none does.
std::optional<std::int64_t> known_max_output(const PassthroughPricing& p) {
  std::optional<std::int64_t> longest;
  for (const auto* d : p.candidates) {
    const auto max = providers::known_max_output(*d);
    if (max) longest = std::max(longest.value_or(0), *max);
  }
  return longest;
}

// Every kind of token at the highest price of any candidate, and the longest prompt a
// provider takes when every candidate gives one: the worst case of any of them.
proxy::GroupPricing highest_pricing(const PassthroughPricing& p, std::int64_t max_output_tokens) {
  proxy::GroupPricing pricing;
  pricing.max_output_tokens = max_output_tokens;
  bool every_context_known = true;
  for (std::size_t i = 0; i < p.candidates.size(); ++i) {
    if (const auto& price = p.prices[i]) {
      pricing.max_input_price = std::max(pricing.max_input_price, price->highest_input_per_token());
      pricing.max_output_price = std::max(pricing.max_output_price, price->highest_output_per_token());
      pricing.include_searches_of(*price);
    }
    const auto& context = p.candidates[i]->info.max_input_tokens;
    every_context_known = every_context_known && context.has_value();
    if (context) pricing.max_input_tokens = std::max(pricing.max_input_tokens.value_or(0), *context);
  }
  if (!every_context_known) pricing.max_input_tokens.reset();
  return pricing;
}

// The client's body, with the output limit the gateway reserved when it wrote one, and OpenAI
// streams asking for their usage (they carry it only when asked) so they can be charged exactly.
std::string body_to_send(const PassthroughRequest& r, std::string_view raw, std::optional<std::int64_t> written_limit) {
  if (written_limit && r.body) providers::write_output_limit(*r.body, r.route.shape, *written_limit);
  const bool openai_text =
      r.route.shape == PassthroughShape::openai_chat || r.route.shape == PassthroughShape::openai_completion;
  if (!openai_text || !r.body || !providers::json::bool_or(*r.body, "stream")) {
    return written_limit && r.body ? providers::json::serialize(*r.body) : std::string(raw);
  }
  auto& doc = *r.body;
  auto& alloc = doc.GetAllocator();
  auto options = doc.FindMember("stream_options");
  if (options == doc.MemberEnd() || !options->value.IsObject()) {
    doc.RemoveMember("stream_options");
    doc.AddMember("stream_options", rapidjson::Value(rapidjson::kObjectType), alloc);
    options = doc.FindMember("stream_options");
  }
  if (options->value.HasMember("include_usage")) return providers::json::serialize(doc);
  options->value.AddMember("include_usage", true, alloc);
  return providers::json::serialize(doc);
}

// The client's headers that describe the request, never one that carries a credential.
void copy_client_headers(const http::Exchange& exchange, http::Headers& out) {
  for (const char* name : {"content-type", "accept", "anthropic-version", "anthropic-beta", "openai-beta"}) {
    const auto value = exchange.header(name);
    if (!value.empty()) out.push_back({name, std::string(value)});
  }
}

// The path the provider gets, under api_base's path: the client's, except that Bedrock's model id
// is encoded as the AWS SDK encodes it and Vertex's project and location are the configured ones.
core::Result<std::string> upstream_path(const PassthroughRequest& r, const PassthroughUpstream& upstream) {
  std::string path = r.subpath;
  if (r.route.provider == core::ProviderKind::bedrock && !r.route.model_in_path.empty()) {
    // As the AWS SDK sends it: the model id percent-encoded once (the signature encodes it again).
    path = "/model/" + providers::bedrock::uri_encode(r.route.model_in_path, false) +
           r.subpath.substr(r.subpath.rfind('/'));
  }
  if (r.route.provider == core::ProviderKind::vertex_ai) {
    auto vertex = core::vertex_passthrough_path(r.subpath, upstream.vertex_project, upstream.vertex_location);
    if (!vertex) {
      return core::bad_request(
          "Not a Vertex AI path: use /vertex_ai/{version}/projects/{project}/locations/{location}/…, "
          "/vertex_ai/{version}/publishers/… or /vertex_ai/publishers/… (no '.' or '..' segments, no escaped '.' "
          "or '/')");
    }
    path = std::move(*vertex);
  }
  return core::passthrough_upstream_path(upstream.url.base_path, path);
}

http::OutboundRequest outbound_request(const http::Exchange& exchange, const PassthroughRequest& r,
                                       const PassthroughUpstream& upstream, std::string path, std::string body) {
  http::OutboundRequest out;
  out.method = exchange.method();
  const auto query = core::passthrough_query(exchange.query());
  out.target = query.empty() ? path : path + "?" + query;
  copy_client_headers(exchange, out.headers);
  switch (r.route.provider) {
    case core::ProviderKind::openai:
      if (!upstream.api_key.empty()) out.headers.push_back({"authorization", "Bearer " + upstream.api_key});
      break;
    case core::ProviderKind::anthropic:
      if (!upstream.api_key.empty()) out.headers.push_back({"x-api-key", upstream.api_key});
      if (exchange.header("anthropic-version").empty()) {
        out.headers.push_back({"anthropic-version", std::string(kAnthropicVersion)});
      }
      break;
    case core::ProviderKind::gemini:
      if (!upstream.api_key.empty()) out.headers.push_back({"x-goog-api-key", upstream.api_key});
      break;
    case core::ProviderKind::bedrock: {
      std::vector<std::pair<std::string, std::string>> signed_headers;
      for (const auto& h : out.headers) signed_headers.emplace_back(h.name, h.value);
      const auto host = upstream.url.host_header();
      providers::bedrock::SigV4Request to_sign{
          http::method_name(out.method), host, path, query, signed_headers, body, upstream.aws.region_name, "bedrock"};
      const providers::bedrock::AwsCredentials credentials{upstream.aws.access_key_id, upstream.aws.secret_access_key,
                                                           upstream.aws.session_token};
      for (auto& [name, value] :
           providers::bedrock::sigv4_headers(to_sign, credentials, std::chrono::system_clock::now())) {
        out.headers.push_back({std::move(name), std::move(value)});
      }
      break;
    }
    case core::ProviderKind::vertex_ai: break;  // the bearer token is added when the call starts
    case core::ProviderKind::azure:
    case core::ProviderKind::mock: break;  // no pass-through prefix names them
  }
  out.body = std::move(body);
  out.first_byte_timeout = kPassthroughTimeout;
  out.idle_timeout = kPassthroughTimeout;
  return out;
}

// What admission reserves: the worst case of a known inference shape at the dearest of the
// candidates' prices, else general_settings.pass_through_reservation; 400 for a web search tool
// without max_uses. `written_limit` is set when the gateway must write an output limit into the
// request for the reservation to bound it.
core::Result<RequestTokens> reservation(const GatewayContext& context, const http::Exchange& exchange,
                                        const PassthroughRequest& r, const PassthroughPricing& p, bool priced,
                                        std::optional<std::int64_t>& written_limit) {
  // A chat completion's search context size: 400 for one OpenAI refuses, as it would.
  std::optional<core::SearchContextSize> search_size;
  if (r.route.shape == PassthroughShape::openai_chat && r.body) {
    auto asked = providers::requested_search_context_size(*r.body);
    if (!asked) return asked.error();
    search_size = *asked;
  }
  const auto api = api_of(r.route.shape);
  if (!api || !priced || !r.body) {
    RequestTokens t;
    t.worst_case_cost = context.general ? context.general->pass_through_reservation : 0.10;
    return t;
  }
  const auto asked = providers::asked_output_limit(*r.body, r.route.shape);
  std::optional<std::int64_t> request_limit;  // what the request itself limits each answer to
  std::int64_t per_choice = 0;                // embeddings produce no output
  if (r.route.shape != PassthroughShape::openai_embedding) {
    const auto limit = core::decide_output_limit(asked, known_max_output(p), core::kWrittenOutputLimit,
                                                 providers::can_write_output_limit(*r.body, r.route.shape));
    if (limit.refused) {
      return core::unreadable_output_limit(r.model, providers::output_limit_field(*r.body, r.route.shape));
    }
    written_limit = limit.written;
    per_choice = limit.per_choice;
    request_limit = asked.tokens && !asked.unreadable ? asked.tokens : limit.written;
  }
  const auto tally = providers::tally_prompt(*r.body, *api, exchange.body().size());
  const auto pricing = highest_pricing(p, per_choice);
  if (auto bounded = refuse_unbounded_tools(tally, pricing); !bounded) return bounded.error();
  return request_tokens(tally, pricing, request_limit, search_size);
}

void start_call(const GatewayContext& context, const http::ExchangePtr& exchange,
                const identity::KeyIdentityPtr& identity, PassthroughCallSpec spec, const CallRecord& record,
                std::shared_ptr<actors::AdmissionGrant> grant) {
  if (grant) spec.extra_headers = rate_headers(grant->headers);
  spec.extra_headers.push_back({"x-litellm-call-id", record.call_id});
  spec.on_finished = [&context, identity, grant, record](const proxy::CallOutcome& outcome) {
    record_outcome(context, identity, grant.get(), outcome, record);
  };
  start_passthrough_call(*context.client, exchange, std::move(spec));
}

// Google's SDKs send their key in x-goog-api-key or ?key=: accepted (never forwarded) on the
// Google providers' routes only, as LiteLLM does.
identity::CredentialPlaces credential_places(std::string_view prefix) {
  return prefix == "gemini" || prefix == "vertex_ai" ? identity::CredentialPlaces::also_google_api_key
                                                     : identity::CredentialPlaces::standard;
}

void handle_passthrough(const GatewayContext& context, const http::ExchangePtr& exchange, std::string_view prefix) {
  with_caller(
      context, exchange,
      [&context, exchange, prefix](const identity::Caller& caller) {
        auto request = read_request(context, *exchange, prefix);
        if (!request) {
          http::respond_error(exchange, request.error());
          return;
        }
        auto& r = *request;
        if (auto refused = refuse_shared_state(caller, r); !refused) {
          http::respond_error(exchange, refused.error());
          return;
        }
        const auto& identity = caller.identity;
        if (identity && !r.model.empty() && !model_allowed_here(*identity, r)) {
          http::respond_error(exchange, core::forbidden("This key is not allowed to use the model '" + r.model + "'"));
          return;
        }
        const auto models = context.model_snapshot();
        const auto& upstream = models->passthrough->of(r.route.provider);
        if (!upstream) {
          http::respond_error(exchange, upstream.error());
          return;
        }
        auto path = upstream_path(r, *upstream);
        if (!path) {
          http::respond_error(exchange, path.error());
          return;
        }
        const auto pricing = pricing_of(r, *upstream);
        const bool priced = std::any_of(pricing.prices.begin(), pricing.prices.end(),
                                        [](const auto& price) { return price.has_value(); });
        if (auto refused = refuse_unpriced(caller, r, priced); !refused) {
          http::respond_error(exchange, refused.error());
          return;
        }
        std::optional<std::int64_t> written_limit;
        const auto reserved = reservation(context, *exchange, r, pricing, priced, written_limit);
        if (!reserved) {
          http::respond_error(exchange, reserved.error());
          return;
        }
        const auto& tokens = *reserved;
        // Charged at the dearest candidate for this call's bounds; the reservation took every
        // candidate's highest prices, so no candidate's charge can exceed it.
        const auto dearest =
            core::dearest_price(pricing.prices, tokens.prompt_bound, tokens.completion_bound).value_or(0);
        PassthroughCallSpec spec;
        spec.target = without_secrets(*pricing.candidates[dearest]);
        spec.price = pricing.prices[dearest];
        spec.search_context_size = tokens.search_context_size;
        if (api_of(r.route.shape) && spec.price && r.body) {  // the worst case was bounded from the body
          spec.cost_without_usage = tokens.worst_case_cost;
          spec.usage_without_usage.prompt_tokens = tokens.prompt_bound;
          spec.usage_without_usage.completion_tokens = tokens.completion_bound;
          spec.usage_without_usage.web_search_requests = tokens.web_searches;
        }
        spec.route = r.route;
        spec.request = outbound_request(*exchange, r, *upstream, std::move(path).value(),
                                        body_to_send(r, exchange->body(), written_limit));
        spec.url = upstream->url;
        spec.access_tokens = upstream->access_tokens;
        const std::string group = r.model.empty() ? std::string(prefix) + "/pass-through" : spec.target.litellm_model;
        spec.target.model_name = group;
        CallRecord record{exchange->request_id(),  core::generate_time_ordered_id(),
                          "pass_through_endpoint", group,
                          unix_ms_now(),           std::nullopt};
        if (!identity) {  // the master key: no budgets or limits, spend still recorded
          start_call(context, exchange, identity, std::move(spec), record, nullptr);
          return;
        }
        const config::ModelGroup admitted_as{group, {}, {}, {}};
        admit_then(context, exchange, admission_for(*identity, admitted_as, tokens),
                   [&context, exchange, identity, spec = std::move(spec),
                    record](std::shared_ptr<actors::AdmissionGrant> grant) mutable {
                     start_call(context, exchange, identity, std::move(spec), record, std::move(grant));
                   });
      },
      credential_places(prefix));
}

}  // namespace

void register_passthrough_routes(http::Router& router, const GatewayContext& context) {
  const auto* ctx = &context;
  for (const char* prefix : {"openai", "anthropic", "gemini", "bedrock", "vertex_ai"}) {
    const std::string pattern = "/" + std::string(prefix) + "/{path*}";
    for (const auto method : {http::Method::post, http::Method::get}) {
      router.add(method, pattern,
                 [ctx, prefix](const http::ExchangePtr& exchange) { handle_passthrough(*ctx, exchange, prefix); });
    }
  }
}

}  // namespace tollgate::api
