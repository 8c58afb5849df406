#pragma once
// One client request through the data plane: choose a deployment, call it, retry with
// backoff, cool failing deployments down, fall back to other model groups, and relay the
// answer (whole, or streamed event by event). Runs on the client connection's I/O thread.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "config/model_catalog.h"
#include "core/search_context_size.h"
#include "core/usage.h"
#include "http/exchange.h"
#include "providers/upstream_request.h"

namespace tollgate::http {
class HttpClient;
}

namespace tollgate::proxy {

struct ModelSnapshot;

// What happened, for spend settlement and logs.
struct CallOutcome {
  bool success = false;
  int status = 0;
  const config::Deployment* deployment = nullptr;  // the one that answered (or last tried)
  core::Usage usage;
  bool usage_reported = false;  // from the provider, not estimated
  bool client_gone = false;
  // A stream cut short after bytes reached the client (client left, upstream broke): `usage`
  // holds what was generated so far (the provider's figures if they arrived, else an estimate)
  // and is charged like a success, so hanging up before the end does not make tokens free.
  bool interrupted = false;
  std::string response_id;  // the id of the client's answer (core/response_id.h); "" when none
  double cost = 0;          // usage at the deployment's price (0 when unknown)
  bool priced = false;      // the deployment has a known price
};

struct ProxyRequest {
  // The models the request was admitted with (proxy/model_snapshot.h): `group` and every
  // deployment and fallback of the call belong to it, and it stays alive until the call ends.
  std::shared_ptr<const ModelSnapshot> models;
  providers::Api api = providers::Api::openai_chat;
  std::shared_ptr<const rapidjson::Document> body;  // parsed once by the handler
  const config::ModelGroup* group = nullptr;
  // Set when only this deployment of `group` can serve the request (a Responses API call
  // chaining onto a response it stored): every attempt goes there, and there is no fallback.
  const config::Deployment* pinned_deployment = nullptr;
  // The request reached a wildcard group ("openai/*"): what its '*' matched, filled into the
  // model of each wildcard deployment the call tries (proxy/wildcard_deployment.h).
  std::string wildcard_capture;
  // Usage of a stream cut short before the provider reported it: the typical prompt tokens
  // (core/token_estimate.h), and the most completion tokens the provider can have generated.
  std::int64_t prompt_tokens_estimate = 0;
  std::int64_t completion_tokens_bound = 0;
  // The most prompt tokens the provider can charge (core/token_bound.h): with
  // completion_tokens_bound, the usage charged for a successful answer the gateway cannot read.
  std::int64_t prompt_tokens_bound = 0;
  // The most web searches its server-side tools may run (core/web_search.h): charged, with the
  // token bounds, for an answer the gateway cannot read; caps the searches a cut stream showed.
  std::int64_t web_searches_bound = 0;
  // The search context size a chat completion asked for: a search model's call is charged its
  // fee (core::cost_of); nullopt for other APIs (the dearest fee counts).
  std::optional<core::SearchContextSize> search_context_size;
  std::chrono::steady_clock::time_point received;
  // Extra response headers (e.g. rate-limit state) added to the success response.
  http::Headers extra_headers;
  std::function<void(const CallOutcome&)> on_finished;  // exactly once
};

// Starts the call on the exchange's executor (posted there when called from another thread);
// it keeps itself alive until the client has its answer.
void start_proxy_call(http::HttpClient& client, http::ExchangePtr exchange, ProxyRequest request);

}  // namespace tollgate::proxy
