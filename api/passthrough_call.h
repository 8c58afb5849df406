#pragma once
// One pass-through call: the client's request sent on unchanged (credential injected), the
// answer relayed as it is — whole, or streamed chunk by chunk as it arrives — while its usage
// is read on the way (api/passthrough_usage.h), then the outcome settled and logged through
// the same accounting as every inference call (api/inference_accounting.h).
#include <functional>
#include <memory>
#include <optional>

#include "core/cost_map.h"
#include "core/passthrough_route.h"
#include "core/usage.h"
#include "http/client.h"
#include "http/exchange.h"
#include "proxy/proxy_call.h"

namespace tollgate::providers::vertex {
class AccessTokenSource;
}

namespace tollgate::api {

struct PassthroughCallSpec {
  core::PassthroughRoute route;
  http::UpstreamUrl url;
  http::OutboundRequest request;
  // What the call is logged as (provider_prefix, upstream_model = the model it names).
  config::Deployment target;
  std::optional<core::ModelPrice> price;  // nullopt: unknown, the call costs 0
  // A chat completion's search context size: a search model's call is charged its fee.
  std::optional<core::SearchContextSize> search_context_size;
  // Charged when a successful answer of a known inference shape carries no usage (the most it
  // can have cost), or a stream is cut before its usage arrived; 0 for other endpoints.
  double cost_without_usage = 0;
  core::Usage usage_without_usage;  // the token bounds behind cost_without_usage (logged with it)
  http::Headers extra_headers;      // rate-limit state, x-litellm-call-id
  // Vertex AI: the OAuth2 access token that goes up as `authorization: Bearer` is fetched when
  // the call starts (waiting, when none is ready, without holding a thread); null otherwise.
  std::shared_ptr<providers::vertex::AccessTokenSource> access_tokens;
  std::function<void(const proxy::CallOutcome&)> on_finished;  // exactly once
};

// Starts on the exchange's executor; keeps itself alive until the client has its answer.
void start_passthrough_call(http::HttpClient& client, const http::ExchangePtr& exchange, PassthroughCallSpec spec);

}  // namespace tollgate::api
