#pragma once
// One call to a media endpoint of an OpenAI-wire deployment (/images/generations,
// /audio/speech, /audio/transcriptions, /moderations, /rerank): choose a deployment of the
// group, send the body with the deployment's model and credential, retry (num_retries, other
// deployments first), cool failing deployments down and fall back to other model groups as chat
// calls do, answer with the upstream's body and content type, and price the call per unit or
// per token (core/media_cost.h); speech audio is relayed as it arrives. Runs on the exchange's
// executor.
//
// Shared with chat (proxy/proxy_call.cc): the start on the exchange's executor
// (proxy/call_start.h), deployment choice, failure bookkeeping and cooldowns, and the fallback
// order (proxy/attempt_outcome.h). Not shared: fail(), client_left() and finish(). They look
// alike, but each reads its call's own state (chat: usage, streamed text, the Anthropic error
// body, response ids, overhead timing; media: a charge known from the request, relayed audio),
// so a common piece would be a base class holding both calls' state, or callbacks for each
// step: more code than the ~40 lines it would remove.
#include <chrono>
#include <functional>
#include <string>

#include "core/media_cost.h"
#include "http/exchange.h"
#include "proxy/model_snapshot.h"
#include "proxy/proxy_call.h"

namespace tollgate::http {
class HttpClient;
}

namespace tollgate::api {

struct MediaRequest {
  proxy::ModelSnapshotPtr models;  // keeps `group` and its deployments alive
  const config::ModelGroup* group = nullptr;
  core::MediaKind kind = core::MediaKind::moderation;
  std::string path;          // after the deployment's base path: "/images/generations"
  std::string content_type;  // of the body sent upstream
  // The upstream body for a deployment's model name (the client's, with `model` replaced).
  std::function<std::string(const std::string& upstream_model)> body_for;
  core::MediaRequestFacts facts;
  std::int64_t max_output_tokens = 0;  // the group's longest answer (token-priced transcription, speech)
  std::chrono::steady_clock::time_point received;
  http::Headers extra_headers;                                 // added to the success answer
  std::function<void(const proxy::CallOutcome&)> on_finished;  // exactly once
};

// Whether a deployment serves the media endpoints: OpenAI-wire upstreams only.
bool serves_media(const config::Deployment& deployment);

void start_media_call(http::HttpClient& client, http::ExchangePtr exchange, MediaRequest request);

}  // namespace tollgate::api
