#pragma once
// Anthropic's own token count for a /v1/messages/count_tokens request: the request sent on to
// an Anthropic deployment's POST /v1/messages/count_tokens (model renamed, the deployment's
// credential), which counts with the model's real tokenizer and costs nothing.
#include <cstdint>
#include <functional>
#include <optional>

#include <rapidjson/document.h>

#include "config/config.h"
#include "http/client.h"
#include "http/exchange.h"

namespace tollgate::api {

// The first deployment of a group that speaks Anthropic's API directly (anthropic/…); null when
// none does (the count is then the gateway's estimate).
const config::Deployment* token_counting_deployment(const std::vector<const config::Deployment*>& deployments);

// Calls `done` once, on the exchange's executor, with the provider's input_tokens, or nullopt
// when the provider could not answer (unreachable, an error status, an unreadable body). Nothing
// happens after the client has gone.
void count_tokens_upstream(http::HttpClient& client, const http::ExchangePtr& exchange,
                           const config::Deployment& deployment, const rapidjson::Document& request,
                           std::function<void(std::optional<std::int64_t>)> done);

}  // namespace tollgate::api
