#pragma once
// One call to a media endpoint of an OpenAI-wire deployment (/images/generations,
// /audio/speech, /audio/transcriptions, /moderations, /rerank): choose a deployment of the
// group, send the body with the deployment's model and credential, retry (num_retries, other
// deployments first), cool failing deployments down and fall back to other model groups as chat
// calls do, answer with the upstream's body and content type, and price the call per unit or
// per token (core/media_cost.h); speech audio is relayed as it arrives. Runs on the exchange's
// executor.
//
// Shared with chat (proxy/proxy_call.cc): the start on the exchange's executor and the hang-up
// hook (proxy/call_start.h); deployment choice, failure bookkeeping and cooldowns, retries and
// the fallback order (proxy/attempt_outcome.h: Route); and the endings — settled once, before
// the client's answer, a hang-up cancelling the attempt (proxy/call_end.h). Each call says what
// it charges (media: a charge known from the request, or from the answer's usage) and how its
// errors read.
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
